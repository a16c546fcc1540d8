// The background loop of `arkiv serve`: every interval, gathers the status
// (probes are recorded in the history), judges it and publishes it on the
// board; a failure — an error or an exception — is published as such and
// the loop goes on.
//
// Listing every object of every cloud costs requests (S3 bills LISTs), so
// the clouds are listed only every `list_interval_s`; in between, each
// cloud's stored bytes and objects and the repair debt are those of its
// last listing.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "core/status.h"
#include "monitor/health.h"
#include "monitor/history.h"
#include "serve/status_board.h"

namespace arkiv::serve {

struct RefresherOptions {
  double interval_s = 60;                 // from the end of one refresh to the start of the next
  double list_interval_s = 900;           // 0: list on every refresh
  double history_window_s = 24 * 3600.0;  // of the latency charts
  size_t history_points = 240;
};

// Gathers the facts at `now_ns`; lists the clouds when `list` is set.
using GatherFunction = std::function<Result<monitor::StatusInput>(int64_t now_ns, bool list)>;

class StatusRefresher {
 public:
  // `history` (may be null) is used only by the refresh thread; it and the
  // board must outlive the refresher.
  StatusRefresher(StatusBoard& board, GatherFunction gather, monitor::History* history, RefresherOptions options);
  ~StatusRefresher();  // stops the loop
  StatusRefresher(const StatusRefresher&) = delete;
  StatusRefresher& operator=(const StatusRefresher&) = delete;

  // One refresh at `now_ns`, in the caller's thread.
  void RefreshOnce(int64_t now_ns);

  // Starts the loop in a thread (the first refresh at once); Stop() wakes it
  // and waits for the refresh under way to finish.
  void Start();
  void Stop();

 private:
  struct Listing {
    bool listed = false;
    uint64_t objects = 0;
    uint64_t bytes = 0;
    uint64_t debt = 0;
  };
  void CarryListing(monitor::StatusInput& input, bool listed_now);
  void Loop();

  StatusBoard& board_;
  GatherFunction gather_;
  monitor::History* history_;
  const RefresherOptions options_;
  int64_t listed_ns_ = 0;                   // of the last listing; 0: none yet
  std::map<std::string, Listing> listing_;  // per cloud, as last listed
  uint64_t debt_objects_ = 0;               // as last listed
  int64_t failing_since_ns_ = 0;            // 0: the newest refresh gathered the facts
  int64_t logged_ns_ = 0;                   // when a failure was last logged

  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace arkiv::serve
