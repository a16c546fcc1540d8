// moto's S3 server (tests/servers/moto_shared.py) on 127.0.0.1 for tests.
//
// ctest runs each test in its own process, and moto takes seconds to start,
// so one server is shared by all test programs that run at the same time
// (one user, one $TEST_TMPDIR or /tmp): the first starts it, the others
// attach, and it exits by itself 15 s after the last one has gone (see the
// script for the locking). moto checks no signatures by default: any
// credentials work. Tests must use buckets of their own (UniqueBucketName).
// Its log is STATE_DIR/moto.log, or $ARKIV_MOTO_LOG when set.
#pragma once

#include <string>

#include "core/status.h"

namespace arkiv::storage::testing {

class MotoServer {
 public:
  // The server, started or attached to on the first call. Fails (every
  // time) when moto cannot start.
  static Result<MotoServer*> Shared();

  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  explicit MotoServer(int port) : port_(port) {}
  int port_;
};

// A bucket name no other test program returns ("arkiv-PID-RANDOM-N").
std::string UniqueBucketName();

}  // namespace arkiv::storage::testing
