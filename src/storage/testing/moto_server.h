// moto's S3 server (`python3 -m moto.server`) on 127.0.0.1 for tests.
//
// One server per test program, started on first use and stopped at exit
// (and killed by the kernel if the test program dies first). moto checks no
// signatures by default: any credentials work. Its log goes to
// $ARKIV_MOTO_LOG when set, else to a temporary file.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "storage/testing/server_process.h"

namespace arkiv::storage::testing {

class MotoServer {
 public:
  // The program's server, started on the first call. Fails (every time)
  // when moto cannot start.
  static Result<MotoServer*> Shared();

  int port() const { return process_->port(); }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port()); }

 private:
  explicit MotoServer(std::unique_ptr<ServerProcess> process) : process_(std::move(process)) {}
  std::unique_ptr<ServerProcess> process_;
};

// A bucket name no other call in this program returns ("arkiv-PID-N").
std::string UniqueBucketName();

}  // namespace arkiv::storage::testing
