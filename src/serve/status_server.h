// The HTTP side of `arkiv serve` (cpp-httplib): read-only views of the
// status board.
//   GET /             the status page (status_page.h)
//   GET /metrics      Prometheus text: the board's metrics, then `extra_metrics()`
//   GET /api/status   the facts and the verdict as JSON (ApiStatusJson)
//   GET /api/history  probe latency per cloud over time (probe_history.h)
//   GET /healthz      "ok": the server runs (not: the repository is healthy)
// Handlers never touch the repository: a slow or down cloud never slows a
// scrape. Every response forbids external resources (Content-Security-Policy).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "core/status.h"
#include "serve/listen_address.h"
#include "serve/status_board.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace arkiv::serve {

class StatusServer {
 public:
  // `board` must outlive the server; `extra_metrics` (may be empty) is
  // called on every scrape, from the server's threads.
  StatusServer(const StatusBoard& board, std::function<std::string()> extra_metrics);
  ~StatusServer();
  StatusServer(const StatusServer&) = delete;
  StatusServer& operator=(const StatusServer&) = delete;

  // Binds the address (port 0: a free port). Returns the port bound;
  // kUnavailable naming the address when it cannot be bound.
  Result<int> Bind(const ListenAddress& address);
  // Serves until Stop(). REQUIRES: Bind succeeded.
  Status Run();
  // From any thread, also before Run: Run returns (or will at once).
  void Stop();

 private:
  void Route();

  const StatusBoard& board_;
  std::function<std::string()> extra_metrics_;
  std::unique_ptr<httplib::Server> server_;
  std::string address_;
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> running_{false};
  std::mutex mu_;
  std::condition_variable done_;
};

}  // namespace arkiv::serve
