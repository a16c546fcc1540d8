#include "planning/plan.h"

#include <fmt/format.h>

#include <algorithm>

#include "placement/shard.h"
#include "planning/recovery_time.h"

namespace arkiv::planning {
namespace {

// Requests a backup makes on every cloud besides one PUT per data pack, as
// bench/requests_bench.sh counted them at the S3 server (bench/RESULTS.md,
// "Requests per GB"): an index file every 8 packs (repo/blob_saver.h) and
// the last one, a tree pack, the snapshot and the lock; and the listings of
// keys, clouds, index, snapshots, locks (twice: taking the lock and checking
// it) and prune markers (twice: before and after the backup). Its reads of
// the parent's trees are GETs, not charged here (S3: $0.0004 per 1,000).
constexpr double kIndexFilesPerPack = 1.0 / 8;
constexpr double kPutsPerBackup = 4;
constexpr double kListsPerBackup = 8;

Result<Candidate> MakeCandidate(const placement::Policy& policy, size_t available) {
  size_t count = policy.erasure() ? static_cast<size_t>(policy.RequiredClouds()) : available;
  if (count > available) {
    return Fail(Code::kInvalidArgument,
                fmt::format("policy {} needs {} clouds, there are {} (add some with --assume-clouds N)",
                            policy.ToString(), count, available));
  }
  Candidate c;
  c.policy = policy;
  for (size_t i = 0; i < count; ++i) c.clouds.push_back(i);
  ASSIGN_OR_RETURN(c.write_quorum, placement::EffectiveWriteQuorum(policy, static_cast<int>(count), 0));
  return c;
}

Candidate FirstClouds(const placement::Policy& policy, size_t count) {
  Candidate c;
  c.policy = policy;
  for (size_t i = 0; i < count; ++i) c.clouds.push_back(i);
  c.write_quorum = *placement::EffectiveWriteQuorum(policy, static_cast<int>(count), 0);
  return c;
}

std::vector<StoredBytes> DerivedStorage(const Candidate& c, const RepositoryFigures& f) {
  StoredBytes each{f.data_bytes, f.metadata_bytes};
  if (c.policy.erasure()) {
    each.data = f.data_bytes / c.policy.k + f.data_packs * static_cast<double>(placement::kShardHeaderSize);
  }
  return std::vector<StoredBytes>(c.clouds.size(), each);
}

RestoreEstimate Estimate(const ReadPlan& plan, double seconds, const RestoreCost& cost,
                         const std::vector<size_t>& cloud_ids) {
  RestoreEstimate e;
  for (size_t i : plan.clouds) e.clouds.push_back(cloud_ids[i]);
  e.seconds = seconds;
  e.cost = cost;
  return e;
}

}  // namespace

std::string Candidate::Label() const {
  if (policy.erasure()) return policy.ToString();
  return fmt::format("replicate×{}", clouds.size());
}

Result<std::vector<Candidate>> CandidatePolicies(const std::optional<Candidate>& current, size_t clouds,
                                                 const std::vector<std::string>& requested) {
  std::vector<Candidate> all;
  if (current) all.push_back(*current);
  auto add = [&](Candidate c) {
    bool seen = std::any_of(all.begin(), all.end(), [&](const Candidate& other) {
      return other.policy == c.policy && other.clouds == c.clouds;
    });
    if (!seen) all.push_back(std::move(c));
  };
  for (const std::string& text : requested) {
    ASSIGN_OR_RETURN(placement::Policy policy, placement::ParsePolicy(text));
    ASSIGN_OR_RETURN(Candidate c, MakeCandidate(policy, clouds));
    add(std::move(c));
  }
  if (!requested.empty()) return all;
  placement::Policy replicate;
  if (clouds >= 2) add(FirstClouds(replicate, 2));
  if (clouds >= 3) add(FirstClouds(replicate, 3));
  if (clouds >= 3) add(FirstClouds(placement::Policy{placement::Policy::Kind::kErasure, 2, 1}, 3));
  if (clouds >= 5) add(FirstClouds(placement::Policy{placement::Policy::Kind::kErasure, 3, 2}, 5));
  return all;
}

Result<PolicyPlan> PlanPolicy(const Candidate& candidate, const std::vector<PlanCloud>& clouds,
                              const RepositoryFigures& figures, const PlanSettings& settings) {
  PolicyPlan plan;
  plan.candidate = candidate;
  size_t n = candidate.clouds.size();
  std::vector<ProviderProfile> profiles;
  std::vector<double> loss, availability;
  for (size_t id : candidate.clouds) {
    profiles.push_back(clouds[id].profile);
    loss.push_back(clouds[id].profile.loss_per_year);
    availability.push_back(clouds[id].profile.availability);
  }

  plan.stored = candidate.measured.empty() ? DerivedStorage(candidate, figures) : candidate.measured;
  double data_everywhere = 0;
  std::vector<double> stored_total;
  for (const StoredBytes& s : plan.stored) {
    data_everywhere += s.data;
    stored_total.push_back(s.total());
  }
  plan.storage_factor = figures.data_bytes > 0 ? data_everywhere / figures.data_bytes
                        : candidate.policy.erasure()
                            ? static_cast<double>(candidate.policy.RequiredClouds()) / candidate.policy.k
                            : static_cast<double>(n);

  double puts = figures.new_bytes_per_month / figures.pack_size * (1 + kIndexFilesPerPack) +
                kPutsPerBackup * figures.backups_per_month;
  double lists = kListsPerBackup * figures.backups_per_month;
  for (size_t i = 0; i < n; ++i) {
    MonthlyCost m = MonthlyCostOf(profiles[i], stored_total[i], puts, lists);
    plan.monthly.push_back(m);
    plan.monthly_total.storage += m.storage;
    plan.monthly_total.requests += m.requests;
  }

  plan.reliability = ReliabilityOf(candidate.policy, candidate.write_quorum, loss, availability, settings.common_cause);

  std::vector<double> read_cost, latency;
  for (const auto& p : profiles) latency.push_back(p.latency);
  for (size_t id : candidate.clouds) read_cost.push_back(clouds[id].read_cost);
  auto estimate = [&](const ReadPlan& read) {
    return Estimate(read, PlanSeconds(read, profiles, settings.link_rate), RestoreCostOf(read, profiles, stored_total),
                    candidate.clouds);
  };
  std::vector<bool> all(n, true);
  ASSIGN_OR_RETURN(auto default_all, DefaultReadPlan(candidate.policy, all, read_cost, latency, figures.restore));
  if (default_all) plan.all_up = estimate(*default_all);
  size_t lost = FastestCloud(profiles);
  plan.fastest_cloud = candidate.clouds[lost];
  std::vector<bool> survivors(n, true);
  survivors[lost] = false;
  ASSIGN_OR_RETURN(auto default_lost,
                   DefaultReadPlan(candidate.policy, survivors, read_cost, latency, figures.restore));
  if (default_lost) plan.fastest_lost = estimate(*default_lost);

  ASSIGN_OR_RETURN(auto all_plans, ReadPlans(candidate.policy, all, figures.restore));
  if (auto fastest = FastestPlan(all_plans, profiles, settings.link_rate)) plan.fastest_plan = estimate(fastest->plan);
  if (settings.rto_seconds) {
    if (auto cheapest = CheapestWithin(all_plans, profiles, stored_total, settings.link_rate, *settings.rto_seconds)) {
      plan.cheapest_within_rto = Estimate(cheapest->plan, cheapest->seconds, cheapest->cost, candidate.clouds);
    }
  }
  return plan;
}

Result<std::optional<double>> EstimateRestoreSeconds(const placement::Policy& policy,
                                                     const std::vector<PlanCloud>& clouds,
                                                     const std::vector<bool>& available, const RestoreWork& work,
                                                     double link_rate) {
  std::vector<ProviderProfile> profiles;
  std::vector<double> read_cost, latency;
  for (const auto& c : clouds) {
    profiles.push_back(c.profile);
    read_cost.push_back(c.read_cost);
    latency.push_back(c.profile.latency);
  }
  ASSIGN_OR_RETURN(auto read, DefaultReadPlan(policy, available, read_cost, latency, work));
  if (!read) return std::optional<double>();
  return std::optional<double>(PlanSeconds(*read, profiles, link_rate));
}

}  // namespace arkiv::planning
