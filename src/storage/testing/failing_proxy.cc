#include "storage/testing/failing_proxy.h"

#include <gtest/gtest.h>

#include "storage/http/http_client.h"

namespace arkiv::storage::testing {

Result<std::unique_ptr<FailingProxy>> FailingProxy::Start(int upstream_port, const std::string& match, int nth) {
  int port = FreePort();
  ServerProcess::Options options;
  options.argv = {"/usr/bin/python3",
                  SourceDir() + "/tests/servers/failing_proxy.py",
                  std::to_string(port),
                  std::to_string(upstream_port),
                  match,
                  std::to_string(nth)};
  options.port = port;
  ASSIGN_OR_RETURN(auto process, ServerProcess::Start(std::move(options)));
  return std::unique_ptr<FailingProxy>(new FailingProxy(std::move(process)));
}

std::vector<std::string> FailingProxy::Requests() const {
  http::Client client;
  auto response = client.Send({.method = "GET", .url = Endpoint() + "/__proxy__/log", .headers = {}, .body = {}});
  if (!response || response->status != 200) {
    ADD_FAILURE() << "cannot read the proxy's log";
    return {};
  }
  std::vector<std::string> lines;
  std::string_view text = AsString(response->body);
  for (size_t newline; (newline = text.find('\n')) != std::string_view::npos; text.remove_prefix(newline + 1)) {
    lines.emplace_back(text.substr(0, newline));
  }
  return lines;
}

}  // namespace arkiv::storage::testing
