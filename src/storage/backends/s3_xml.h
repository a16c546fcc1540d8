// Reads the few XML documents S3 answers with: ListObjectsV2 pages, error
// bodies and multipart upload replies. Not a general XML parser: it finds
// leaf elements by name, which is all these flat documents need, and
// decodes the five named entities and numeric character references.
#pragma once

#include "storage/http/xml_text.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace arkiv::storage {

struct S3ListedObject {
  std::string key;  // the full key, store prefix included
  uint64_t size = 0;
};

struct S3ListPage {
  std::vector<S3ListedObject> objects;
  bool truncated = false;
  std::string next_continuation_token;
};

struct S3ErrorBody {
  std::string code;     // "NoSuchKey", "SignatureDoesNotMatch", ...
  std::string message;  // the server's human-readable message
};

// nullopt when `xml` is not a ListBucketResult.
std::optional<S3ListPage> ParseListObjectsV2(std::string_view xml);
// nullopt when `xml` holds no <Error> element.
std::optional<S3ErrorBody> ParseS3Error(std::string_view xml);
// The text of the first <tag> element, entities decoded; nullopt if absent.
std::optional<std::string> XmlElementText(std::string_view xml, std::string_view tag);

}  // namespace arkiv::storage
