#include "storage/backends/azure_signer.h"

#include <algorithm>
#include <map>

#include "core/hex.h"
#include "storage/http/header_text.h"
#include "storage/http/hmac_sha256.h"

namespace arkiv::storage {

std::string CanonicalizedResource(std::string_view account, std::string_view encoded_path, const HeaderPairs& query) {
  std::string out = "/" + std::string(account) + std::string(encoded_path.empty() ? "/" : encoded_path);
  std::map<std::string, std::vector<std::string>> params;
  for (const auto& [name, value] : query) params[http::LowerAscii(name)].push_back(value);
  for (auto& [name, values] : params) {
    std::sort(values.begin(), values.end());
    out += "\n" + name + ":";
    for (size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + values[i];
  }
  return out;
}

std::string SharedKeyStringToSign(std::string_view method, uint64_t content_length, const HeaderPairs& headers,
                                  std::string_view canonicalized_resource) {
  std::map<std::string, std::string> by_name;
  for (const auto& [name, value] : headers) by_name[http::LowerAscii(name)] = http::CollapseWhitespace(value);
  auto get = [&](const char* name) {
    auto it = by_name.find(name);
    return it == by_name.end() ? std::string() : it->second;
  };
  std::string out(method);
  out += "\n" + get("content-encoding");
  out += "\n" + get("content-language");
  out += "\n" + (content_length == 0 ? std::string() : std::to_string(content_length));
  for (const char* name : {"content-md5", "content-type", "date", "if-modified-since", "if-match", "if-none-match",
                           "if-unmodified-since", "range"}) {
    out += "\n" + get(name);
  }
  out += "\n";
  for (const auto& [name, value] : by_name) {  // std::map: sorted by name
    if (name.starts_with("x-ms-")) out += name + ":" + value + "\n";
  }
  out += canonicalized_resource;
  return out;
}

Result<std::string> SharedKeySignature(std::string_view string_to_sign, std::string_view base64_key) {
  auto key = Base64Decode(base64_key);
  if (!key || key->empty()) {
    return Fail(Code::kInvalidArgument, "the Azure storage account key is not valid base64");
  }
  Bytes mac = http::HmacSha256(*key, AsBytes(string_to_sign));
  if (mac.empty()) return Fail(Code::kInternal, "HMAC-SHA256 failed");
  return Base64Encode(mac);
}

}  // namespace arkiv::storage
