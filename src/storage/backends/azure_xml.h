// Reads the few XML documents the Azure Blob service returns to us: List
// Blobs pages and error bodies. Not a general XML parser: it finds elements
// by name in documents whose shape the service defines, and decodes the
// five predefined entities and numeric character references.
#pragma once

#include "storage/http/xml_text.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace arkiv::storage {

struct AzureBlobEntry {
  std::string name;  // full blob name, decoded
  uint64_t size = 0;
};

struct AzureBlobPage {
  std::vector<AzureBlobEntry> blobs;
  std::string next_marker;  // empty on the last page
};

// kDataLoss when the document is not a List Blobs result.
Result<AzureBlobPage> ParseListBlobs(std::string_view xml);

struct AzureErrorBody {
  std::string code;     // "BlobNotFound"; empty when the body has none
  std::string message;  // the service's text, first line only
};

AzureErrorBody ParseErrorBody(std::string_view xml);


}  // namespace arkiv::storage
