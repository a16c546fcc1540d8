#include "storage/backends/sftp_url.h"

#include <fmt/format.h>

#include <charconv>

namespace arkiv::storage {
namespace {

constexpr std::string_view kScheme = "sftp://";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> PercentDecode(std::string_view s, std::string_view url) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    int hi = i + 2 < s.size() ? HexValue(s[i + 1]) : -1;
    int lo = i + 2 < s.size() ? HexValue(s[i + 2]) : -1;
    if (hi < 0 || lo < 0) return Fail(Code::kInvalidArgument, fmt::format("{}: bad %-escape", url));
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

Status ParseQuery(std::string_view query, std::string_view url, SftpLocation& location) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    ASSIGN_OR_RETURN(std::string value,
                     PercentDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), url));
    if (key == "key") {
      location.endpoint.key_file = value;
    } else if (key == "known_hosts") {
      location.endpoint.known_hosts_file = value;
    } else if (key == "timeout") {
      int seconds = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
      if (ec != std::errc() || end != value.data() + value.size() || seconds <= 0) {
        return Fail(Code::kInvalidArgument, fmt::format("{}: timeout must be a number of seconds", url));
      }
      location.endpoint.timeout_seconds = seconds;
    } else {
      return Fail(Code::kInvalidArgument,
                  fmt::format("{}: unknown parameter '{}' (known: key, known_hosts, timeout)", url, key));
    }
    if (value.empty()) return Fail(Code::kInvalidArgument, fmt::format("{}: parameter '{}' is empty", url, key));
  }
  return OkStatus();
}

Status ParseAuthority(std::string_view authority, std::string_view url, SftpLocation& location) {
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    ASSIGN_OR_RETURN(location.endpoint.user, PercentDecode(authority.substr(0, at), url));
    authority = authority.substr(at + 1);
  }
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {  // [IPv6]:port
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return Fail(Code::kInvalidArgument, fmt::format("{}: unclosed '['", url));
    host = authority.substr(1, close - 1);
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return Fail(Code::kInvalidArgument, fmt::format("{}: bad host", url));
      port = rest.substr(1);
    }
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return Fail(Code::kInvalidArgument, fmt::format("{}: no host", url));
  location.endpoint.host = std::string(host);
  if (!port.empty()) {
    int value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value <= 0 || value > 65535) {
      return Fail(Code::kInvalidArgument, fmt::format("{}: bad port '{}'", url, port));
    }
    location.endpoint.port = value;
  }
  return OkStatus();
}

}  // namespace

Result<SftpLocation> ParseSftpUrl(std::string_view url) {
  if (!url.starts_with(kScheme)) return Fail(Code::kInvalidArgument, fmt::format("{}: not an sftp:// URL", url));
  std::string_view rest = url.substr(kScheme.size());
  size_t question = rest.find('?');
  std::string_view query = question == std::string_view::npos ? std::string_view() : rest.substr(question + 1);
  rest = rest.substr(0, question);
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash + 1 == rest.size()) {
    return Fail(Code::kInvalidArgument,
                fmt::format("{}: sftp:// URLs need a directory (sftp://user@host:port/absolute/path)", url));
  }
  SftpLocation location;
  RETURN_IF_ERROR(ParseAuthority(rest.substr(0, slash), url, location));
  ASSIGN_OR_RETURN(location.root, PercentDecode(rest.substr(slash), url));
  while (location.root.size() > 1 && location.root.back() == '/') location.root.pop_back();
  RETURN_IF_ERROR(ParseQuery(query, url, location));
  return location;
}

}  // namespace arkiv::storage
