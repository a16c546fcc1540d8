#include "storage/http/url.h"

#include <fmt/format.h>

#include <charconv>

namespace arkiv::storage::http {

std::string PercentEncode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3 / 2);
  for (unsigned char c : text) {
    bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (alnum || c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && keep_slash)) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string PercentDecode(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      int high = hex(text[i + 1]), low = hex(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

std::string RedactedUrl(std::string_view url) {
  return std::string(url.substr(0, url.find('?')));
}

Result<StoreUrl> SplitStoreUrl(std::string_view url, std::string_view scheme) {
  if (!url.starts_with(scheme)) return Fail(Code::kInvalidArgument, fmt::format("not an {} URL", scheme));
  StoreUrl parts;
  std::string_view rest = url.substr(scheme.size());
  size_t question = rest.find('?');
  parts.location = rest.substr(0, question);
  std::string_view query = question == std::string_view::npos ? std::string_view() : rest.substr(question + 1);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t equals = pair.find('=');
    std::string value = equals == std::string_view::npos ? "" : PercentDecode(pair.substr(equals + 1));
    parts.parameters.emplace_back(std::string(pair.substr(0, equals)), std::move(value));
  }
  return parts;
}

Result<uint64_t> ParseNumberParameter(std::string_view name, std::string_view value, uint64_t min, uint64_t max) {
  uint64_t number = 0;
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (error != std::errc() || end != value.data() + value.size() || value.empty() || number < min || number > max) {
    return Fail(Code::kInvalidArgument,
                fmt::format("URL parameter {} must be a whole number from {} to {}, not '{}'", name, min, max, value));
  }
  return number;
}

Result<int> ParseTimeoutParameter(std::string_view value) {
  ASSIGN_OR_RETURN(uint64_t seconds, ParseNumberParameter("timeout", value, 1, 3600));
  return static_cast<int>(seconds);
}

bool IsStoreWideParameter(std::string_view name) {
  return name == "connections" || name == "upload_limit" || name == "download_limit";
}

}  // namespace arkiv::storage::http
