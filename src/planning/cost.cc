#include "planning/cost.h"

#include <algorithm>

#include "planning/recovery_time.h"

namespace arkiv::planning {

MonthlyCost MonthlyCostOf(const ProviderProfile& cloud, double stored_bytes, double puts, double lists) {
  MonthlyCost cost;
  double gb = std::max(stored_bytes / kBytesPerGb, cloud.minimum_gb);
  cost.storage = gb * cloud.storage_per_gb_month;
  cost.requests = puts / 1000 * cloud.put_per_1000 + lists / 1000 * cloud.list_per_1000;
  return cost;
}

RestoreCost RestoreCostOf(const ReadPlan& plan, std::span<const ProviderProfile> clouds,
                          std::span<const double> stored_bytes) {
  RestoreCost cost;
  for (size_t i : plan.clouds) {
    const ProviderProfile& cloud = clouds[i];
    double read_gb = plan.load[i].bytes / kBytesPerGb;
    double free_gb = cloud.egress_free_gb + cloud.egress_free_ratio * stored_bytes[i] / kBytesPerGb;
    cost.egress += std::max(0.0, read_gb - free_gb) * cloud.egress_per_gb;
    cost.retrieval += read_gb * cloud.retrieval_per_gb;
    cost.requests += plan.load[i].requests / 1000 * cloud.get_per_1000;
  }
  return cost;
}

std::optional<PricedPlan> CheapestWithin(const std::vector<ReadPlan>& plans, std::span<const ProviderProfile> clouds,
                                         std::span<const double> stored_bytes, double link_rate, double rto_seconds) {
  std::optional<PricedPlan> best;
  for (const ReadPlan& plan : plans) {
    double seconds = PlanSeconds(plan, clouds, link_rate);
    if (seconds > rto_seconds) continue;
    RestoreCost cost = RestoreCostOf(plan, clouds, stored_bytes);
    if (!best || cost.total() < best->cost.total() || (cost.total() == best->cost.total() && seconds < best->seconds)) {
      best = PricedPlan{plan, seconds, cost};
    }
  }
  return best;
}

}  // namespace arkiv::planning
