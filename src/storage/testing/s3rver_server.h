// The s3rver fork (npm @20minutes/s3rver, installed in tests/servers by
// scripts/bootstrap.sh) on 127.0.0.1 for tests. Unlike moto it checks SigV4
// signatures of path-style requests; its credentials are S3RVER/S3RVER.
// One server per test program, started on first use, stopped at exit.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "storage/testing/server_process.h"

namespace arkiv::storage::testing {

class S3rverServer {
 public:
  static constexpr const char* kAccessKey = "S3RVER";
  static constexpr const char* kSecretKey = "S3RVER";

  // The program's server, started on the first call. Fails (every time)
  // when node or the npm package is missing.
  static Result<S3rverServer*> Shared();

  int port() const { return process_->port(); }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port()); }

 private:
  explicit S3rverServer(std::unique_ptr<ServerProcess> process) : process_(std::move(process)) {}
  std::unique_ptr<ServerProcess> process_;
};

}  // namespace arkiv::storage::testing
