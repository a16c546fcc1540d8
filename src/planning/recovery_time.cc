#include "planning/recovery_time.h"

#include <algorithm>

namespace arkiv::planning {

double PlanSeconds(const ReadPlan& plan, std::span<const ProviderProfile> clouds, double link_rate) {
  double slowest = 0, total_bytes = 0;
  for (size_t i : plan.clouds) {
    const CloudLoad& load = plan.load[i];
    const ProviderProfile& cloud = clouds[i];
    double transfer = cloud.download_rate > 0 ? load.bytes / cloud.download_rate : 0;
    double waiting = load.requests * cloud.latency / std::max(1.0, cloud.connections);
    slowest = std::max(slowest, transfer + waiting);
    total_bytes += load.bytes;
  }
  if (link_rate > 0) slowest = std::max(slowest, total_bytes / link_rate);
  return slowest;
}

std::optional<TimedPlan> FastestPlan(const std::vector<ReadPlan>& plans, std::span<const ProviderProfile> clouds,
                                     double link_rate) {
  std::optional<TimedPlan> best;
  for (const ReadPlan& plan : plans) {
    double seconds = PlanSeconds(plan, clouds, link_rate);
    if (!best || seconds < best->seconds ||
        (seconds == best->seconds && plan.clouds.size() < best->plan.clouds.size())) {
      best = TimedPlan{plan, seconds};
    }
  }
  return best;
}

size_t FastestCloud(std::span<const ProviderProfile> clouds) {
  size_t best = 0;
  for (size_t i = 1; i < clouds.size(); ++i) {
    if (clouds[i].download_rate > clouds[best].download_rate) best = i;
  }
  return best;
}

}  // namespace arkiv::planning
