#include "planning/read_plan.h"

#include <fmt/format.h>

#include <bit>

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

std::vector<ReadPlan> ReplicatePlans(const std::vector<bool>& available, const RestoreWork& work) {
  size_t n = available.size();
  std::vector<ReadPlan> plans;
  for (uint32_t set = 1; set < (1u << n); ++set) {
    bool usable = true;
    for (size_t i = 0; i < n; ++i) usable = usable && (!(set >> i & 1) || available[i]);
    if (!usable) continue;
    double share = 1.0 / std::popcount(set);
    std::vector<CloudLoad> load(n);
    for (size_t i = 0; i < n; ++i) {
      if (set >> i & 1) load[i] = {work.bytes * share, work.requests * share};
    }
    plans.push_back(PlanFromLoad(std::move(load)));
  }
  return plans;
}

std::vector<ReadPlan> ErasurePlans(const placement::Policy& policy, const std::vector<bool>& available,
                                   const RestoreWork& work) {
  size_t n = available.size();
  size_t k = static_cast<size_t>(policy.k);
  std::vector<CloudLoad> own(n);
  int missing = 0;
  for (size_t i = 0; i < k; ++i) {
    if (available[i]) {
      own[i] = {work.bytes / policy.k, work.requests / policy.k};
    } else {
      missing++;
    }
  }
  if (missing == 0) return {PlanFromLoad(own)};
  // Each missing data shard's K/K of work is read again as K ranges.
  double decode_bytes = work.bytes * missing, decode_requests = work.requests * missing;
  std::vector<ReadPlan> plans;
  for (uint32_t set = 1; set < (1u << n); ++set) {
    int size = std::popcount(set);
    if (size < policy.k) continue;
    bool usable = true;
    for (size_t i = 0; i < n; ++i) usable = usable && (!(set >> i & 1) || available[i]);
    if (!usable) continue;
    std::vector<CloudLoad> load = own;
    for (size_t i = 0; i < n; ++i) {
      if (!(set >> i & 1)) continue;
      load[i].bytes += decode_bytes / size;
      load[i].requests += decode_requests / size;
    }
    plans.push_back(PlanFromLoad(std::move(load)));
  }
  return plans;
}

}  // namespace

Result<std::vector<ReadPlan>> ReadPlans(const placement::Policy& policy, const std::vector<bool>& available,
                                        const RestoreWork& work) {
  size_t n = available.size();
  if (n == 0 || n > kMaxPlanClouds) {
    return Fail(Code::kInvalidArgument, fmt::format("planning handles 1 to {} clouds, not {}", kMaxPlanClouds, n));
  }
  if (policy.erasure() && static_cast<size_t>(policy.RequiredClouds()) != n) {
    return Fail(Code::kInvalidArgument,
                fmt::format("policy {} needs {} clouds, not {}", policy.ToString(), policy.RequiredClouds(), n));
  }
  return policy.erasure() ? ErasurePlans(policy, available, work) : ReplicatePlans(available, work);
}

}  // namespace arkiv::planning
