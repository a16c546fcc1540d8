#include "planning/read_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <tuple>

namespace arkiv::planning {
namespace {

ReadPlan PlanFromLoad(std::vector<CloudLoad> load) {
  ReadPlan plan;
  for (size_t i = 0; i < load.size(); ++i) {
    if (load[i].bytes > 0 || load[i].requests > 0) plan.clouds.push_back(i);
  }
  plan.load = std::move(load);
  return plan;
}

// The shares when the clouds of `set` (a bit mask of available clouds)
// serve: replicate copies from `set` in turn; ec reads the data shards in
// place and decodes the missing ones from `set`. nullopt when `set` cannot
// serve (empty; fewer than K clouds to decode from).
std::optional<ReadPlan> PlanOf(const placement::Policy& policy, const std::vector<bool>& available, uint32_t set,
                               const RestoreWork& work) {
  size_t n = available.size();
  int size = std::popcount(set);
  std::vector<CloudLoad> load(n);
  if (!policy.erasure()) {
    if (size == 0) return std::nullopt;
    for (size_t i = 0; i < n; ++i) {
      if (set >> i & 1) load[i] = {work.bytes / size, work.requests / size};
    }
    return PlanFromLoad(std::move(load));
  }
  int missing = 0;
  for (size_t i = 0; i < static_cast<size_t>(policy.k); ++i) {
    if (available[i]) {
      load[i] = {work.bytes / policy.k, work.requests / policy.k};
    } else {
      missing++;
    }
  }
  if (missing == 0) return PlanFromLoad(std::move(load));
  if (size < policy.k) return std::nullopt;
  // Each missing data shard's 1/K of the work is read again as K ranges.
  for (size_t i = 0; i < n; ++i) {
    if (!(set >> i & 1)) continue;
    load[i].bytes += work.bytes * missing / size;
    load[i].requests += work.requests * missing / size;
  }
  return PlanFromLoad(std::move(load));
}

bool AllAvailable(const std::vector<bool>& available, uint32_t set) {
  for (size_t i = 0; i < available.size(); ++i) {
    if ((set >> i & 1) && !available[i]) return false;
  }
  return true;
}

bool AllDataAvailable(const placement::Policy& policy, const std::vector<bool>& available) {
  return !policy.erasure() || std::all_of(available.begin(), available.begin() + policy.k, [](bool up) { return up; });
}

Status CheckShape(const placement::Policy& policy, size_t n) {
  if (n == 0 || n > kMaxPlanClouds) {
    return Fail(Code::kInvalidArgument, fmt::format("planning handles 1 to {} clouds, not {}", kMaxPlanClouds, n));
  }
  if (policy.erasure() && static_cast<size_t>(policy.RequiredClouds()) != n) {
    return Fail(Code::kInvalidArgument,
                fmt::format("policy {} needs {} clouds, not {}", policy.ToString(), policy.RequiredClouds(), n));
  }
  return OkStatus();
}

}  // namespace

Result<std::vector<ReadPlan>> ReadPlans(const placement::Policy& policy, const std::vector<bool>& available,
                                        const RestoreWork& work) {
  RETURN_IF_ERROR(CheckShape(policy, available.size()));
  std::vector<ReadPlan> plans;
  if (AllDataAvailable(policy, available) && policy.erasure()) {
    if (auto plan = PlanOf(policy, available, 0, work)) plans.push_back(std::move(*plan));
    return plans;
  }
  for (uint32_t set = 1; set < (1u << available.size()); ++set) {
    if (!AllAvailable(available, set)) continue;
    if (auto plan = PlanOf(policy, available, set, work)) plans.push_back(std::move(*plan));
  }
  return plans;
}

Result<std::optional<ReadPlan>> DefaultReadPlan(const placement::Policy& policy, const std::vector<bool>& available,
                                                const std::vector<double>& read_cost,
                                                const std::vector<double>& latency, const RestoreWork& work) {
  size_t n = available.size();
  RETURN_IF_ERROR(CheckShape(policy, n));
  if (read_cost.size() != n || latency.size() != n) {
    return Fail(Code::kInvalidArgument, "a read cost and a latency per cloud are needed");
  }
  double best_latency = -1;
  for (size_t i = 0; i < n; ++i) {
    if (available[i] && (best_latency < 0 || latency[i] < best_latency)) best_latency = latency[i];
  }
  // The placement store's order: read_cost, then clouds over 3× the best
  // latency last; clouds of one tier take turns.
  std::vector<std::tuple<double, bool, size_t>> order;
  for (size_t i = 0; i < n; ++i) {
    if (available[i]) order.emplace_back(read_cost[i], best_latency > 0 && latency[i] > 3 * best_latency, i);
  }
  std::sort(order.begin(), order.end());
  size_t needed = policy.erasure() ? static_cast<size_t>(policy.k) : 1;
  uint32_t set = 0;
  for (size_t j = 0; j < order.size(); ++j) {
    set |= 1u << std::get<2>(order[j]);
    bool tier_ends = j + 1 == order.size() || std::get<0>(order[j + 1]) != std::get<0>(order[j]) ||
                     std::get<1>(order[j + 1]) != std::get<1>(order[j]);
    if (tier_ends && static_cast<size_t>(std::popcount(set)) >= needed) break;
  }
  return PlanOf(policy, available, set, work);
}

}  // namespace arkiv::planning
