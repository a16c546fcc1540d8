// What `arkiv serve` shows (design.md §22): the outcome of the newest
// refresh — the facts gathered (monitor/status_gather.h), their verdict
// (monitor/health.h) and the probe history — kept for the HTTP handlers,
// which only read it and never touch the repository themselves.
//
// A refresh that fails (the repository cannot be read) never takes the
// server down: the verdict becomes CRITICAL with a finding naming the
// failure, /metrics says arkiv_status 2 (and no facts it does not know),
// and the page keeps the last facts, marked with their age.
//
// Thread safety: StatusBoard may be used from any thread; a BoardView is
// immutable once published.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "monitor/health.h"

namespace arkiv::serve {

// Fixed facts about the server, shown with every view.
struct ServeInfo {
  std::string repository;  // Store::Location(): never a credential
  double interval_s = 60;
  double list_interval_s = 900;
};

struct BoardView {
  bool attempted = false;        // a refresh has finished, well or not
  bool gathered = false;         // one has gathered facts: `input` is real
  monitor::StatusInput input;    // of the newest refresh that gathered
  monitor::StatusReport report;  // of the newest refresh (CRITICAL naming the failure if it failed)
  std::string error;             // why the newest refresh failed; empty when it did not
  int64_t refreshed_ns = 0;      // when the newest refresh started
  double refresh_seconds = 0;    // how long it took
  uint64_t refreshes = 0;        // finished since the start, failures included
  uint64_t failures = 0;
  nlohmann::json history = nlohmann::json::object();  // ProbeHistoryJson of the newest gathering
};

class StatusBoard {
 public:
  explicit StatusBoard(ServeInfo info);

  void PublishGathered(monitor::StatusInput input, monitor::StatusReport report, nlohmann::json history,
                       int64_t started_ns, double seconds);
  // Keeps the facts (and history) of the last refresh that gathered them.
  void PublishFailure(const std::string& error, int64_t started_ns, double seconds);

  std::shared_ptr<const BoardView> Latest() const;
  const ServeInfo& info() const { return info_; }

 private:
  const ServeInfo info_;
  mutable std::mutex mu_;
  std::shared_ptr<const BoardView> latest_;
};

// /api/status: monitor::StatusJson of the facts plus a "serve" object
// (times in milliseconds since the epoch, the newest refresh's error). Before
// the first refresh has finished the verdict is "UNKNOWN".
nlohmann::json ApiStatusJson(const BoardView& view, const ServeInfo& info, int64_t now_ns);

// /metrics without the store request metrics: monitor::StatusMetricsText of
// the facts when the newest refresh gathered them, else only arkiv_status 2;
// then the server's own arkiv_serve_* metrics.
std::string BoardMetricsText(const BoardView& view);

}  // namespace arkiv::serve
