// tests/servers/fault_proxy.py on 127.0.0.1 in front of a test server: the
// network between a store and its server, broken on demand (latency, a
// bandwidth cap, connections reset mid-body, a blackhole, 503 SlowDown /
// ServerBusy answers). See the script for what each fault does exactly.
//
// Each FaultProxy is its own process, stopped when the object goes. Faults
// apply from the call on; Clear() lifts them all. Connections a client keeps
// alive from before a fault see it too, except reset_after, which counts
// only the bytes sent after it was set.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "storage/testing/server_process.h"

namespace arkiv::storage::testing {

class FaultProxy {
 public:
  struct Stats {
    uint64_t connections = 0;  // accepted
    uint64_t requests = 0;     // HTTP requests seen, answered by the server or the proxy
    uint64_t slowdowns = 0;    // requests the proxy answered with a 503
    uint64_t resets = 0;       // connections reset by reset_after
    uint64_t blackholed = 0;   // connections accepted and never answered
    uint64_t bytes_up = 0;     // forwarded to the server
    uint64_t bytes_down = 0;   // forwarded to the client
  };

  // Forwards 127.0.0.1:port() to target_host:target_port.
  static Result<std::unique_ptr<FaultProxy>> Start(int target_port, std::string target_host = "127.0.0.1");

  int port() const { return process_->port(); }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port()); }

  Status SetLatency(std::chrono::milliseconds one_way);
  Status SetBandwidth(uint64_t bytes_per_second);  // 0: no cap
  // The next `connections` connections to send `bytes` more bytes upstream are reset.
  Status ResetAfter(uint64_t bytes, int connections = 1);
  Status Blackhole();
  // The next `requests` HTTP requests get a 503 SlowDown (S3) or ServerBusy (Azure).
  Status SlowDown(int requests);
  Status Clear();
  Result<Stats> GetStats();

  // Sends one control line; returns the reply after "ok" ("" for none).
  Result<std::string> Command(std::string_view line);

 private:
  FaultProxy(std::unique_ptr<ServerProcess> process, int control_port)
      : process_(std::move(process)), control_port_(control_port) {}

  std::unique_ptr<ServerProcess> process_;
  int control_port_;
};

}  // namespace arkiv::storage::testing
