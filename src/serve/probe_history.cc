#include "serve/probe_history.h"

#include <algorithm>
#include <map>

namespace arkiv::serve {
namespace {

// Enough for a day of probes at a refresh a minute (3 probes each), and a
// bound on the work when refreshes are far more frequent.
constexpr size_t kMaxProbeEvents = 20000;

// One point per refresh: its probes share the recorded time.
std::vector<LatencyPoint> PerRefresh(const std::vector<monitor::HistoryEvent>& probes, int64_t since_ns,
                                     int64_t until_ns) {
  std::map<int64_t, std::pair<std::vector<double>, bool>> refreshes;  // time -> (ok latencies, all ok)
  for (const auto& e : probes) {
    if (e.time_ns < since_ns || e.time_ns > until_ns) continue;
    auto [it, fresh] = refreshes.try_emplace(e.time_ns, std::vector<double>{}, true);
    if (e.ok) {
      it->second.first.push_back(e.seconds * 1000);
    } else {
      it->second.second = false;
    }
  }
  std::vector<LatencyPoint> points;
  for (auto& [time, probe] : refreshes) {
    auto& [ms, all_ok] = probe;
    LatencyPoint p{time, std::nullopt, all_ok};
    if (!ms.empty()) {
      std::sort(ms.begin(), ms.end());
      p.ms = ms[ms.size() / 2];
    }
    points.push_back(p);
  }
  return points;
}

}  // namespace

std::vector<LatencyPoint> LatencySeries(const std::vector<monitor::HistoryEvent>& probes, int64_t since_ns,
                                        int64_t until_ns, size_t max_points) {
  std::vector<LatencyPoint> points = PerRefresh(probes, since_ns, until_ns);
  max_points = std::max<size_t>(max_points, 1);
  if (points.size() <= max_points) return points;
  // Equal slices of the window; a slice's point is at its newest refresh.
  double width = static_cast<double>(until_ns - since_ns + 1) / static_cast<double>(max_points);
  std::vector<LatencyPoint> merged;
  size_t slice_of_last = SIZE_MAX;
  double sum = 0;
  size_t count = 0;
  for (const auto& p : points) {
    auto slice = static_cast<size_t>(static_cast<double>(p.time_ns - since_ns) / width);
    if (slice != slice_of_last) {
      merged.push_back({p.time_ns, std::nullopt, true});
      slice_of_last = slice;
      sum = 0;
      count = 0;
    }
    LatencyPoint& m = merged.back();
    m.time_ns = p.time_ns;
    m.up = m.up && p.up;
    if (p.ms) {
      sum += *p.ms;
      count++;
      m.ms = sum / static_cast<double>(count);
    }
  }
  return merged;
}

Result<nlohmann::json> ProbeHistoryJson(const monitor::History& history, const std::vector<std::string>& clouds,
                                        int64_t since_ns, int64_t until_ns, size_t max_points) {
  nlohmann::json out{{"since_ms", since_ns / 1000000}, {"until_ms", until_ns / 1000000}};
  nlohmann::json list = nlohmann::json::array();
  for (const auto& name : clouds) {
    ASSIGN_OR_RETURN(auto probes, history.Recent("probe", name, since_ns, kMaxProbeEvents));
    nlohmann::json points = nlohmann::json::array();
    for (const auto& p : LatencySeries(probes, since_ns, until_ns, max_points)) {
      points.push_back({p.time_ns / 1000000, p.ms ? nlohmann::json(*p.ms) : nlohmann::json(nullptr), p.up ? 1 : 0});
    }
    list.push_back({{"name", name}, {"points", std::move(points)}});
  }
  out["clouds"] = std::move(list);
  return out;
}

}  // namespace arkiv::serve
