#include "placement/cloud_health.h"

namespace arkiv::placement {

CloudHealth::CloudHealth(size_t clouds, Clock::duration down_for, std::function<Clock::time_point()> now)
    : down_for_(down_for), now_(std::move(now)), states_(clouds) {}

void CloudHealth::RecordSuccess(size_t cloud, Clock::duration latency) {
  double ms = std::chrono::duration<double, std::milli>(latency).count();
  std::lock_guard lock(mutex_);
  State& s = states_[cloud];
  s.down_until = {};
  // Weight 1/8: steady enough to ignore one slow request, quick enough to
  // follow a cloud that became slow within a few dozen requests.
  s.latency_ms = s.latency_ms == 0 ? ms : s.latency_ms + (ms - s.latency_ms) / 8;
}

void CloudHealth::RecordUnavailable(size_t cloud) {
  auto until = Now() + down_for_;
  std::lock_guard lock(mutex_);
  states_[cloud].down_until = until;
}

bool CloudHealth::IsDown(size_t cloud) const {
  auto now = Now();
  std::lock_guard lock(mutex_);
  return now < states_[cloud].down_until;
}

double CloudHealth::LatencyMs(size_t cloud) const {
  std::lock_guard lock(mutex_);
  return states_[cloud].latency_ms;
}

}  // namespace arkiv::placement
