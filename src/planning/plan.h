// `arkiv plan`: the recovery strategy in numbers, for the repository's
// policy and for candidate policies side by side (docs/planning.md). For
// each: what it stores and costs a month, the probability of losing data
// within a year, of a restore being able to start and of a backup reaching
// its write quorum, how long a full restore takes with every cloud up and
// with the fastest one lost, what it costs, and the cheapest way to restore
// within a recovery-time objective.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "placement/policy.h"
#include "planning/cost.h"
#include "planning/provider_profile.h"
#include "planning/read_plan.h"
#include "planning/reliability.h"

namespace arkiv::planning {

struct PlanCloud {
  std::string name;
  ProviderProfile profile;
  bool measured = false;  // download rate and latency measured, not assumed
  bool assumed = false;   // a hypothetical cloud (`--assume-clouds`)
  double read_cost = 1;   // the cloud set's read_cost: lower is read first
};

// What the repository holds and what restoring it reads.
struct RepositoryFigures {
  double data_bytes = 0;  // data packs, one copy
  double data_packs = 0;
  double metadata_bytes = 0;       // config, keys, cloud set, index, snapshots, tree packs: copied to every cloud
  RestoreWork restore;             // the latest snapshot's blobs (or a given size)
  double new_bytes_per_month = 0;  // stored by the backups of the last 30 days
  double backups_per_month = 0;
  double pack_size = 16.0 * 1024 * 1024;
};

// Bytes one cloud holds: data packs (copies or shards) and everything else.
struct StoredBytes {
  double data = 0;
  double other = 0;
  double total() const { return data + other; }
};

struct Candidate {
  placement::Policy policy;
  std::vector<size_t> clouds;  // indices into the PlanCloud list, in shard order
  int write_quorum = 0;
  bool current = false;               // the repository's own policy and clouds
  std::vector<StoredBytes> measured;  // per cloud of `clouds` (listed); empty: derived from the figures
  // "ec:2+1", "replicate×2".
  std::string Label() const;
};

struct PlanSettings {
  double common_cause = 0;  // beta, see reliability.h
  double link_rate = 0;     // this machine's download bandwidth, bytes/s (0: no limit)
  std::optional<double> rto_seconds;
};

struct RestoreEstimate {
  std::vector<size_t> clouds;  // the clouds read from (PlanCloud indices)
  double seconds = 0;
  RestoreCost cost;
};

struct PolicyPlan {
  Candidate candidate;
  std::vector<StoredBytes> stored;   // per cloud of the candidate
  double storage_factor = 0;         // data-pack bytes on all clouds / one copy
  std::vector<MonthlyCost> monthly;  // per cloud of the candidate
  MonthlyCost monthly_total;
  Reliability reliability;
  // Restores as arkiv reads by itself (DefaultReadPlan): every cloud up,
  // and without the fastest cloud. nullopt: the policy cannot restore.
  std::optional<RestoreEstimate> all_up;
  size_t fastest_cloud = 0;  // the cloud lost (PlanCloud index)
  std::optional<RestoreEstimate> fastest_lost;
  // The quickest plan with every cloud up, and the cheapest within the RTO:
  // reached by giving the other clouds a higher read_cost.
  std::optional<RestoreEstimate> fastest_plan;
  std::optional<RestoreEstimate> cheapest_within_rto;
};

// The policies to compare over `clouds` clouds: `current` (if any) first;
// then each of `requested` ("replicate" over all clouds, "ec:K+M" over the
// first K+M), or without any, replicate over the first 2 and 3 clouds,
// ec:2+1 and ec:3+2 where there are enough clouds. A candidate equal to one
// before it is left out. kInvalidArgument for a bad policy or one that needs
// more clouds than there are, naming it.
Result<std::vector<Candidate>> CandidatePolicies(const std::optional<Candidate>& current, size_t clouds,
                                                 const std::vector<std::string>& requested);

// The seconds a restore of `work` takes from the clouds marked `available`
// (one per cloud of `policy`, in its order), read as arkiv reads by itself
// (DefaultReadPlan): what `drill` compares its measured time with. nullopt
// when those clouds cannot serve. Errors as DefaultReadPlan's.
Result<std::optional<double>> EstimateRestoreSeconds(const placement::Policy& policy,
                                                     const std::vector<PlanCloud>& clouds,
                                                     const std::vector<bool>& available, const RestoreWork& work,
                                                     double link_rate);

// Evaluates `candidate` over `clouds`. kInvalidArgument when the candidate
// has more clouds than planning handles (kMaxPlanClouds).
Result<PolicyPlan> PlanPolicy(const Candidate& candidate, const std::vector<PlanCloud>& clouds,
                              const RepositoryFigures& figures, const PlanSettings& settings);

}  // namespace arkiv::planning
