#include "serve/listen_address.h"

#include <fmt/format.h>

#include <charconv>

namespace arkiv::serve {

std::string ListenAddress::ToString() const {
  return host.find(':') != std::string::npos ? fmt::format("[{}]:{}", host, port) : fmt::format("{}:{}", host, port);
}

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Fail(Code::kInvalidArgument,
                fmt::format("--listen {}: {} (expected HOST:PORT, e.g. 127.0.0.1:9464 or [::1]:9464)", text, why));
  };
  ListenAddress address;
  std::string_view port;
  if (text.starts_with('[')) {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return bad("no ']' after the IPv6 address");
    address.host = text.substr(1, close - 1);
    if (text.substr(close + 1, 1) != ":") return bad("no ':PORT' after the IPv6 address");
    port = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad("no port");
    address.host = text.substr(0, colon);
    // An IPv6 address needs brackets, or its last group would be taken for the port.
    if (address.host.find(':') != std::string::npos) return bad("an IPv6 address goes in brackets");
    port = text.substr(colon + 1);
  }
  if (address.host.empty()) return bad("no host");
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), address.port);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || address.port < 0 ||
      address.port > 65535) {
    return bad("the port is not a number from 0 to 65535");
  }
  return address;
}

}  // namespace arkiv::serve
