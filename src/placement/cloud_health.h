// What the placement store has seen of each cloud: whether it is down (it
// answered kUnavailable recently) and how fast it answers, so reads go to
// clouds that are up and quick, and writes do not wait on a cloud that is out.
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <vector>

namespace arkiv::placement {

class CloudHealth {
 public:
  using Clock = std::chrono::steady_clock;

  // `down_for`: how long a cloud that answered kUnavailable is skipped by
  // writes and tried last by reads. `now`: the clock (tests pass a fake one).
  CloudHealth(size_t clouds, Clock::duration down_for, std::function<Clock::time_point()> now = nullptr);

  void RecordSuccess(size_t cloud, Clock::duration latency);
  void RecordUnavailable(size_t cloud);
  // True while the cloud is within `down_for` of its last kUnavailable.
  bool IsDown(size_t cloud) const;
  // Exponentially weighted average latency in milliseconds (0 until measured).
  double LatencyMs(size_t cloud) const;
  Clock::time_point Now() const { return now_ ? now_() : Clock::now(); }

 private:
  struct State {
    Clock::time_point down_until{};
    double latency_ms = 0;
  };
  Clock::duration down_for_;
  std::function<Clock::time_point()> now_;
  mutable std::mutex mutex_;
  std::vector<State> states_;
};

}  // namespace arkiv::placement
