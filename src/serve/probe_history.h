// The probe latency of each cloud over time, from the history database, for
// the status page's sparklines (serve's /api/history). Each refresh probes
// a cloud a few times at one recorded time; a point is one refresh (the
// median latency of its probes, down when one failed), and when a window
// holds more refreshes than points wanted, neighbouring refreshes are
// merged (mean latency; down when any was down), so that an outage never
// disappears from the chart.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "monitor/history.h"

namespace arkiv::serve {

struct LatencyPoint {
  int64_t time_ns = 0;
  std::optional<double> ms;  // none when no probe answered
  bool up = true;            // every probe answered
  bool operator==(const LatencyPoint&) const = default;
};

// Points from `probes` (one cloud's probe events, in any order) inside
// [since_ns, until_ns], oldest first, at most `max_points` (at least 1).
std::vector<LatencyPoint> LatencySeries(const std::vector<monitor::HistoryEvent>& probes, int64_t since_ns,
                                        int64_t until_ns, size_t max_points);

// {"since_ms": .., "until_ms": .., "clouds": [{"name": "aws", "points": [[t_ms, ms|null, 1|0], ...]}]}
// for the named clouds (times in milliseconds since the epoch, as JavaScript counts).
Result<nlohmann::json> ProbeHistoryJson(const monitor::History& history, const std::vector<std::string>& clouds,
                                        int64_t since_ns, int64_t until_ns, size_t max_points);

}  // namespace arkiv::serve
