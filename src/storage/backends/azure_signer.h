// Azure Storage Shared Key authorization: the string to sign and its
// HMAC-SHA256 under the account key.
//
// StringToSign = VERB \n Content-Encoding \n Content-Language \n
//   Content-Length (empty when 0) \n Content-MD5 \n Content-Type \n Date \n
//   If-Modified-Since \n If-Match \n If-None-Match \n If-Unmodified-Since \n
//   Range \n CanonicalizedHeaders CanonicalizedResource
// where CanonicalizedHeaders is every x-ms-* header as "name:value\n", names
// in lower case and sorted, and CanonicalizedResource is "/account" + the
// URL's encoded path, then "\nname:value" per query parameter (lower-case
// names, sorted, decoded values).
//
// Nothing here logs; the key and the signature are secrets.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace arkiv::storage {

using HeaderPairs = std::vector<std::pair<std::string, std::string>>;

// `encoded_path` is the request path as sent ("/devstoreaccount1/c/blob" for
// path-style URLs, so the account appears twice); `query` holds decoded
// parameters.
std::string CanonicalizedResource(std::string_view account, std::string_view encoded_path, const HeaderPairs& query);

// `headers` are the request's headers (any case); Content-Length is given
// separately because the HTTP layer sends it.
std::string SharedKeyStringToSign(std::string_view method, uint64_t content_length, const HeaderPairs& headers,
                                  std::string_view canonicalized_resource);

// Base64 of HMAC-SHA256(base64-decoded key, string_to_sign). kInvalidArgument
// when the key is not base64 (the message does not quote it).
Result<std::string> SharedKeySignature(std::string_view string_to_sign, std::string_view base64_key);

}  // namespace arkiv::storage
