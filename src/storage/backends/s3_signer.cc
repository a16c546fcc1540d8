#include "storage/backends/s3_signer.h"

#include <fmt/format.h>
#include <openssl/sha.h>

#include <algorithm>
#include <ctime>

#include "core/hex.h"
#include "storage/http/header_text.h"
#include "storage/http/hmac_sha256.h"
#include "storage/http/url.h"

namespace arkiv::storage {
namespace {

std::vector<std::pair<std::string, std::string>> CanonicalHeaders(const SigningRequest& request) {
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& [name, value] : request.headers)
    headers.emplace_back(http::LowerAscii(name), http::CollapseWhitespace(value));
  std::sort(headers.begin(), headers.end());
  return headers;
}

std::string SignedHeaders(const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string out;
  for (const auto& [name, value] : headers) {
    if (!out.empty()) out += ';';
    out += name;
  }
  return out;
}

}  // namespace

std::string AmzDate(std::chrono::system_clock::time_point time) {
  std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buffer[32];
  // strftime returns 0, leaving buffer undefined, when the text does not fit.
  size_t n = std::strftime(buffer, sizeof(buffer), "%Y%m%dT%H%M%SZ", &tm);
  return std::string(buffer, n);
}

std::string Sha256Hex(ByteView data) {
  uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256(data.data(), data.size(), digest);
  return HexEncode(ByteView(digest, sizeof(digest)));
}

std::string CanonicalQueryString(std::vector<std::pair<std::string, std::string>> query) {
  for (auto& [name, value] : query) {
    name = http::PercentEncode(name, false);
    value = http::PercentEncode(value, false);
  }
  std::sort(query.begin(), query.end());
  std::string out;
  for (const auto& [name, value] : query) {
    if (!out.empty()) out += '&';
    out += name + "=" + value;
  }
  return out;
}

std::string CanonicalRequest(const SigningRequest& request) {
  auto headers = CanonicalHeaders(request);
  std::string canonical_headers;
  for (const auto& [name, value] : headers) canonical_headers += name + ":" + value + "\n";
  return fmt::format("{}\n{}\n{}\n{}\n{}\n{}", request.method, request.canonical_uri,
                     CanonicalQueryString(request.query), canonical_headers, SignedHeaders(headers),
                     request.payload_hash);
}

std::string SigV4Authorization(const AwsCredentials& credentials, std::string_view region, std::string_view service,
                               std::string_view amz_date, const SigningRequest& request) {
  std::string_view date = amz_date.substr(0, 8);
  std::string scope = fmt::format("{}/{}/{}/aws4_request", date, region, service);
  std::string canonical = CanonicalRequest(request);
  std::string string_to_sign =
      fmt::format("AWS4-HMAC-SHA256\n{}\n{}\n{}", amz_date, scope, Sha256Hex(AsBytes(canonical)));
  Bytes key = http::HmacSha256(AsBytes("AWS4" + credentials.secret_access_key), AsBytes(date));
  key = http::HmacSha256(key, AsBytes(region));
  key = http::HmacSha256(key, AsBytes(service));
  key = http::HmacSha256(key, AsBytes("aws4_request"));
  std::string signature = HexEncode(http::HmacSha256(key, AsBytes(string_to_sign)));
  return fmt::format("AWS4-HMAC-SHA256 Credential={}/{},SignedHeaders={},Signature={}", credentials.access_key_id,
                     scope, SignedHeaders(CanonicalHeaders(request)), signature);
}

}  // namespace arkiv::storage
