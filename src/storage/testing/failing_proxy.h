// An HTTP proxy on 127.0.0.1 that passes requests on to a real server
// (moto, Azurite) and fails chosen ones with HTTP 500: a store under test
// meets a server that refuses, say, the third part of an upload, while
// everything else behaves as the real server does. See
// tests/servers/failing_proxy.py.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "storage/testing/server_process.h"

namespace arkiv::storage::testing {

class FailingProxy {
 public:
  // Requests whose "METHOD /path?query" contains `match` are counted; from
  // the `nth` of them on (counting from 1) they fail.
  static Result<std::unique_ptr<FailingProxy>> Start(int upstream_port, const std::string& match, int nth);

  // "http://127.0.0.1:PORT"
  std::string Endpoint() const { return "http://127.0.0.1:" + std::to_string(process_->port()); }
  // "METHOD /path?query STATUS" per request so far, in arrival order.
  std::vector<std::string> Requests() const;

 private:
  explicit FailingProxy(std::unique_ptr<ServerProcess> process) : process_(std::move(process)) {}
  std::unique_ptr<ServerProcess> process_;
};

}  // namespace arkiv::storage::testing
