#include "storage/testing/moto_server.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <optional>

namespace arkiv::storage::testing {

Result<MotoServer*> MotoServer::Shared() {
  static std::mutex mutex;
  static std::unique_ptr<MotoServer> server;
  static std::optional<Error> failure;
  std::lock_guard lock(mutex);
  if (server) return server.get();
  if (failure) return Fail(*failure);
  int port = FreePort();
  // PR_SET_PDEATHSIG (1): the server dies with the test program, even when
  // that one crashes before stopping it.
  std::string script =
      "import ctypes, runpy, signal, sys\n"
      "ctypes.CDLL(None).prctl(1, signal.SIGKILL)\n"
      "sys.argv = ['moto.server', '-H', '127.0.0.1', '-p', '" +
      std::to_string(port) +
      "']\n"
      "runpy.run_module('moto.server', run_name='__main__')\n";
  ServerProcess::Options options;
  options.argv = {"python3", "-c", script};
  options.port = port;
  // Kept after the test program exits, for looking into moto's tracebacks.
  if (const char* log = std::getenv("ARKIV_MOTO_LOG")) options.log_path = log;
  auto process = ServerProcess::Start(std::move(options));
  if (!process) {
    failure = process.error().Context("starting moto");
    return Fail(*failure);
  }
  server.reset(new MotoServer(std::move(*process)));
  return server.get();
}

std::string UniqueBucketName() {
  static std::atomic<int> counter{0};
  return "arkiv-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

}  // namespace arkiv::storage::testing
