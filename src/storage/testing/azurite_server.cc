#include "storage/testing/azurite_server.h"

#include <fmt/format.h>

#include <atomic>
#include <memory>
#include <mutex>

#include "core/hex.h"
#include "crypto/random.h"
#include "storage/testing/conformance.h"
#include "storage/testing/server_process.h"

namespace arkiv::storage::testing {

Result<AzuriteServer*> AzuriteServer::Shared() {
  static std::mutex mutex;
  static std::unique_ptr<ServerProcess> process;
  static std::unique_ptr<AzuriteServer> server;
  static std::optional<Error> failure;
  std::lock_guard lock(mutex);
  if (server) return server.get();
  if (failure) return Fail(*failure);
  int port = FreePort();
  std::string main_js = SourceDir() + "/tests/servers/node_modules/azurite/dist/src/blob/main.js";
  ServerProcess::Options options;
  options.argv = {"node",
                  main_js,
                  "--blobHost",
                  "127.0.0.1",
                  "--blobPort",
                  std::to_string(port),
                  "--location",
                  MakeTempDir("azurite"),
                  "--disableTelemetry",
                  "--silent"};
  options.port = port;
  auto started = ServerProcess::Start(std::move(options));
  if (!started) {
    failure = started.error();
    return Fail(*failure);
  }
  process = std::move(*started);
  server.reset(new AzuriteServer(port));
  return server.get();
}

std::string AzuriteServer::Endpoint() const {
  return fmt::format("http://127.0.0.1:{}/{}", port_, kAzuriteAccount);
}

std::string AzuriteServer::ConnectionString() const {
  return fmt::format("DefaultEndpointsProtocol=http;AccountName={};AccountKey={};BlobEndpoint={};", kAzuriteAccount,
                     kAzuriteKey, Endpoint());
}

std::string AzuriteServer::NewContainerName() {
  static std::atomic<int> counter{0};
  return fmt::format("c-{}-{}", counter++, HexEncode(crypto::RandomBytes(6)));
}

AzureConfig AzuriteServer::Config(const std::string& container, const std::string& prefix) const {
  AzureConfig config;
  config.account = std::string(kAzuriteAccount);
  config.container = container;
  config.prefix = prefix;
  config.endpoint = Endpoint();
  config.key = std::string(kAzuriteKey);
  return config;
}

}  // namespace arkiv::storage::testing
