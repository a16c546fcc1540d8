// What a placement costs (docs/planning.md, "Cost"): the monthly bill of
// each cloud, the bill of a full restore through a read plan, and the
// cheapest plan that restores within a recovery-time objective. USD at the
// profiles' prices; a GB is kBytesPerGb bytes.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "planning/provider_profile.h"
#include "planning/read_plan.h"

namespace arkiv::planning {

struct MonthlyCost {
  double storage = 0;   // max(stored, minimum_gb) × price
  double requests = 0;  // puts and lists of a month's backups
  double total() const { return storage + requests; }
};

// One cloud holding `stored_bytes`, written with `puts` PUT and `lists` LIST
// requests a month.
MonthlyCost MonthlyCostOf(const ProviderProfile& cloud, double stored_bytes, double puts, double lists);

struct RestoreCost {
  double egress = 0;     // downloads beyond the month's free allowance
  double retrieval = 0;  // read fees of infrequent-access classes
  double requests = 0;   // GETs
  double total() const { return egress + retrieval + requests; }
};

// The bill of restoring through `plan` from clouds holding `stored_bytes`
// each (which sets B2's and Wasabi's free allowance), assuming nothing else
// was downloaded that month.
RestoreCost RestoreCostOf(const ReadPlan& plan, std::span<const ProviderProfile> clouds,
                          std::span<const double> stored_bytes);

struct PricedPlan {
  ReadPlan plan;
  double seconds = 0;
  RestoreCost cost;
};

// The cheapest of `plans` that takes at most `rto_seconds` (the quicker one
// on a tie); nullopt when none is quick enough.
std::optional<PricedPlan> CheapestWithin(const std::vector<ReadPlan>& plans, std::span<const ProviderProfile> clouds,
                                         std::span<const double> stored_bytes, double link_rate, double rto_seconds);

}  // namespace arkiv::planning
