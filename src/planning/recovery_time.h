// How long a restore takes (docs/planning.md, "Recovery time"): every cloud
// of a read plan serves its share at once, each at its own download rate
// and paying its latency once per request, `connections` requests at a
// time; the restore ends when the slowest cloud is done, and never before
// this machine's line has carried all the bytes:
//
//   t = max( max_i [ bytes_i / rate_i + requests_i · latency_i / connections_i ],
//            Σ_i bytes_i / link_rate )
//
// Opening the repository, reading the index and writing files out are not
// counted: on a network restore the clouds are the bottleneck.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "planning/provider_profile.h"
#include "planning/read_plan.h"

namespace arkiv::planning {

// Seconds `plan` takes with these clouds (the policy's order). `link_rate`
// is this machine's download bandwidth in bytes per second (0: no limit).
double PlanSeconds(const ReadPlan& plan, std::span<const ProviderProfile> clouds, double link_rate);

struct TimedPlan {
  ReadPlan plan;
  double seconds = 0;
};

// The quickest of `plans` (the one using fewer clouds on a tie); nullopt
// when there is none.
std::optional<TimedPlan> FastestPlan(const std::vector<ReadPlan>& plans, std::span<const ProviderProfile> clouds,
                                     double link_rate);

// The cloud with the highest download rate (the first of equals).
// REQUIRES: clouds is not empty.
size_t FastestCloud(std::span<const ProviderProfile> clouds);

}  // namespace arkiv::planning
