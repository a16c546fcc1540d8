#include "storage/testing/s3rver_server.h"

#include <filesystem>
#include <mutex>
#include <optional>

#include "storage/testing/conformance.h"

namespace arkiv::storage::testing {

Result<S3rverServer*> S3rverServer::Shared() {
  static std::mutex mutex;
  static std::unique_ptr<S3rverServer> server;
  static std::optional<Error> failure;
  std::lock_guard lock(mutex);
  if (server) return server.get();
  if (failure) return Fail(*failure);
  std::string servers = SourceDir() + "/tests/servers";
  if (!std::filesystem::exists(servers + "/node_modules/@20minutes/s3rver")) {
    failure = Error(Code::kFailedPrecondition, "s3rver is not installed in " + servers + " (run scripts/bootstrap.sh)");
    return Fail(*failure);
  }
  int port = FreePort();
  ServerProcess::Options options;
  options.argv = {"node", servers + "/s3rver.js", std::to_string(port), MakeTempDir("s3rver")};
  // Without it s3rver answers 500 to truncated listings (DES tokens).
  options.env = {"NODE_OPTIONS=--openssl-legacy-provider"};
  options.port = port;
  auto process = ServerProcess::Start(std::move(options));
  if (!process) {
    failure = process.error().Context("starting s3rver");
    return Fail(*failure);
  }
  server.reset(new S3rverServer(std::move(*process)));
  return server.get();
}

}  // namespace arkiv::storage::testing
