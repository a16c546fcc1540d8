// The ways a restore can read its data from the clouds of a policy, and how
// much each cloud serves in each (docs/planning.md, "Recovery time"). The
// shares follow arkiv's read path (design.md §20.4):
//  * replicate: packs are read from the clouds of the plan in turn (by
//    object name), so each of the s clouds serves 1/s of the bytes and of
//    the requests, and their bandwidth adds up. Any non-empty set of clouds
//    is a plan: a lower read_cost on those clouds makes arkiv read there.
//  * ec:K+M: blobs are read in place from the data shards, so data cloud i
//    (i < K) serves 1/K of the bytes and requests whenever it is up; parity
//    clouds serve nothing. When e data clouds are out, each blob of theirs is
//    rebuilt from the same range on K other clouds, taken in turn from the
//    plan's decode set S (|S| >= K): each cloud of S serves e/|S| of the
//    bytes and requests on top of its own share.
#pragma once

#include <optional>
#include <vector>

#include "core/status.h"
#include "placement/policy.h"

namespace arkiv::planning {

// Planning enumerates sets of clouds: 2^16 plans at most.
inline constexpr size_t kMaxPlanClouds = 16;

// What a restore reads: bytes (the blobs it needs, as stored) and GET requests
// (one per tree, one per run of nearby blobs of a pack: engine/restore_plan.h).
struct RestoreWork {
  double bytes = 0;
  double requests = 0;
};

struct CloudLoad {
  double bytes = 0;
  double requests = 0;
};

struct ReadPlan {
  std::vector<size_t> clouds;   // the clouds that serve, ascending (indices of the policy's clouds)
  std::vector<CloudLoad> load;  // per cloud of the policy (zero for the others)
};

// Every distinct plan over the clouds marked `available` (one per cloud of
// the policy, in the policy's order). Empty when too few are available to
// read every pack. kInvalidArgument for more than kMaxPlanClouds clouds or an
// ec policy whose K+M is not the number of clouds.
Result<std::vector<ReadPlan>> ReadPlans(const placement::Policy& policy, const std::vector<bool>& available,
                                        const RestoreWork& work);

// The plan arkiv follows by itself (design.md §20.4): sources ordered by
// read_cost, clouds slower than 3× the best latency after the others of
// their cost; clouds of one such tier take turns. Replicate reads from the
// first tier; ec decodes a missing data shard from the first tiers that
// hold K clouds together. nullopt when the available clouds cannot serve.
// Same errors as ReadPlans, and kInvalidArgument unless there is a read
// cost and a latency per cloud.
Result<std::optional<ReadPlan>> DefaultReadPlan(const placement::Policy& policy, const std::vector<bool>& available,
                                                const std::vector<double>& read_cost,
                                                const std::vector<double>& latency, const RestoreWork& work);

}  // namespace arkiv::planning
