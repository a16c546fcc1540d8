// Where `arkiv serve` listens: HOST:PORT as given to --listen
// ("127.0.0.1:9464", "[::1]:9464", "0.0.0.0:9464"). Port 0 asks the system
// for a free port (tests use it; serve prints the port it got).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace arkiv::serve {

inline constexpr std::string_view kDefaultListen = "127.0.0.1:9464";

struct ListenAddress {
  std::string host;              // without brackets: "::1"
  int port = 0;                  // 0: any free port
  std::string ToString() const;  // "127.0.0.1:9464", "[::1]:9464"
};

// kInvalidArgument, naming the text, when it is not HOST:PORT.
Result<ListenAddress> ParseListenAddress(std::string_view text);

}  // namespace arkiv::serve
