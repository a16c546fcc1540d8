// URL text for the cloud backends: percent-encoding, store URLs taken apart,
// and URLs made safe for messages.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace arkiv::storage::http {

// RFC 3986 percent-encoding of everything but unreserved characters
// (A-Z a-z 0-9 - _ . ~), and of '/' unless `keep_slash`.
std::string PercentEncode(std::string_view text, bool keep_slash);
// Decodes %XX sequences (and nothing else: '+' stays '+'); a malformed one
// is kept as is.
std::string PercentDecode(std::string_view text);

// `url` without its query, for messages: a query may hold a SAS token.
std::string RedactedUrl(std::string_view url);

// A store URL "SCHEME://LOCATION?NAME=VALUE&..." taken apart.
struct StoreUrl {
  std::string_view location;  // "BUCKET/PREFIX": between "://" and '?'
  // In URL order, values percent-decoded; "&&" and a bare "&" at the end are skipped.
  std::vector<std::pair<std::string, std::string>> parameters;
};
// kInvalidArgument unless `url` starts with `scheme` ("s3://"). The message
// does not quote the URL (an azure:// URL may carry sas=).
Result<StoreUrl> SplitStoreUrl(std::string_view url, std::string_view scheme);

// The value of URL parameter `name` as a whole number in [min, max];
// kInvalidArgument naming the parameter otherwise.
Result<uint64_t> ParseNumberParameter(std::string_view name, std::string_view value, uint64_t min, uint64_t max);

// The `timeout=SECONDS` parameter of the S3 and Azure URLs: 1 to 3600
// seconds (ApplyTimeout in http_client.h says what it bounds).
Result<int> ParseTimeoutParameter(std::string_view value);

// Parameters every store URL may carry for the wrappers OpenStore stacks on
// the store (connections, upload_limit, download_limit). A backend accepts
// them and leaves their meaning to the wrappers.
bool IsStoreWideParameter(std::string_view name);

}  // namespace arkiv::storage::http
