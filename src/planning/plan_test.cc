#include "planning/plan.h"

#include <gtest/gtest.h>

#include "core/status_test_util.h"
#include "placement/shard.h"

namespace arkiv::planning {
namespace {

using placement::Policy;

std::vector<PlanCloud> Clouds(size_t n, std::string_view kind = "local") {
  std::vector<PlanCloud> clouds;
  for (size_t i = 0; i < n; ++i) clouds.push_back({"c" + std::to_string(i), *DefaultProfile(kind)});
  return clouds;
}

std::vector<std::string> Labels(const std::vector<Candidate>& candidates) {
  std::vector<std::string> labels;
  for (const auto& c : candidates) labels.push_back(c.Label());
  return labels;
}

RepositoryFigures Figures() {
  RepositoryFigures f;
  f.data_bytes = 1000e6;
  f.data_packs = 60;
  f.metadata_bytes = 2e6;
  f.restore = {900e6, 900};
  f.new_bytes_per_month = 160e6;
  f.backups_per_month = 30;
  f.pack_size = 16e6;
  return f;
}

TEST(PlanTest, DefaultCandidatesDependOnTheNumberOfClouds) {
  EXPECT_EQ(Labels(*CandidatePolicies(std::nullopt, 1, {})), std::vector<std::string>{});
  EXPECT_EQ(Labels(*CandidatePolicies(std::nullopt, 2, {})), std::vector<std::string>{"replicate×2"});
  EXPECT_EQ(Labels(*CandidatePolicies(std::nullopt, 5, {})),
            (std::vector<std::string>{"replicate×2", "replicate×3", "ec:2+1", "ec:3+2"}));
}

TEST(PlanTest, TheCurrentPolicyComesFirstAndOnce) {
  Candidate current;
  current.policy = Policy{Policy::Kind::kErasure, 2, 1};
  current.clouds = {0, 1, 2};
  current.write_quorum = 2;
  current.current = true;
  auto all = *CandidatePolicies(current, 3, {});
  EXPECT_EQ(Labels(all), (std::vector<std::string>{"ec:2+1", "replicate×2", "replicate×3"}));
  EXPECT_TRUE(all[0].current);
}

TEST(PlanTest, RequestedPoliciesReplaceTheDefaults) {
  auto all = CandidatePolicies(std::nullopt, 4, {"replicate", "ec:3+1", "ec:2+1"});
  ASSERT_OK(all);
  EXPECT_EQ(Labels(*all), (std::vector<std::string>{"replicate×4", "ec:3+1", "ec:2+1"}));
  EXPECT_EQ((*all)[1].clouds, (std::vector<size_t>{0, 1, 2, 3}));
  EXPECT_EQ((*all)[1].write_quorum, 3);  // N − 1
  auto too_many = CandidatePolicies(std::nullopt, 3, {"ec:3+2"});
  ASSERT_EQ(CodeOf(too_many), Code::kInvalidArgument);
  EXPECT_NE(too_many.error().message().find("ec:3+2 needs 5 clouds, there are 3"), std::string::npos);
  EXPECT_EQ(CodeOf(CandidatePolicies(std::nullopt, 3, {"raid5"})), Code::kInvalidArgument);
}

TEST(PlanTest, Ec21OverThreeClouds) {
  auto clouds = Clouds(3);
  auto candidates = *CandidatePolicies(std::nullopt, 3, {"ec:2+1"});
  PlanSettings settings;
  settings.rto_seconds = 3600;
  ASSERT_OK_AND_ASSIGN(PolicyPlan plan, PlanPolicy(candidates[0], clouds, Figures(), settings));
  double p = clouds[0].profile.loss_per_year;
  EXPECT_NEAR(plan.reliability.loss_per_year, 3 * p * p - 2 * p * p * p, 1e-15);
  double a = clouds[0].profile.availability;
  EXPECT_NEAR(plan.reliability.restore_can_start(), a * a * a + 3 * a * a * (1 - a), 1e-12);
  // Each cloud holds half the data plus a shard header per pack, and the metadata.
  double shard_data = 500e6 + 60 * placement::kShardHeaderSize;
  ASSERT_EQ(plan.stored.size(), 3u);
  EXPECT_DOUBLE_EQ(plan.stored[1].data, shard_data);
  EXPECT_DOUBLE_EQ(plan.stored[1].other, 2e6);
  EXPECT_DOUBLE_EQ(plan.storage_factor, 3 * shard_data / 1000e6);
  // Restore all up: data clouds 0 and 1 serve 450 MB each at the local rate.
  const auto& local = clouds[0].profile;
  ASSERT_TRUE(plan.all_up.has_value());
  EXPECT_EQ(plan.all_up->clouds, (std::vector<size_t>{0, 1}));
  EXPECT_DOUBLE_EQ(plan.all_up->seconds, 450e6 / local.download_rate + 450 * local.latency / local.connections);
  // The first of equal clouds is "the fastest"; without it, cloud 1 serves
  // 450 + 450 MB and cloud 2 450 MB.
  EXPECT_EQ(plan.fastest_cloud, 0u);
  ASSERT_TRUE(plan.fastest_lost.has_value());
  EXPECT_DOUBLE_EQ(plan.fastest_lost->seconds, 900e6 / local.download_rate + 900 * local.latency / local.connections);
  ASSERT_TRUE(plan.cheapest_within_rto.has_value());
  EXPECT_EQ(plan.cheapest_within_rto->cost.total(), 0);
  EXPECT_EQ(plan.monthly_total.total(), 0);  // own hardware
}

TEST(PlanTest, MonthlyCostAddsUpPerCloud) {
  auto clouds = Clouds(2, "s3-standard");
  auto candidates = *CandidatePolicies(std::nullopt, 2, {});
  ASSERT_OK_AND_ASSIGN(PolicyPlan plan, PlanPolicy(candidates[0], clouds, Figures(), PlanSettings{}));
  // Each replica: 1002 MB stored; 10 packs, an index file per 8 packs, 4
  // small PUTs and 8 LISTs per backup, 30 backups a month.
  double storage = 1002e6 / kBytesPerGb * 0.023;
  double requests = (10 * 1.125 + 4 * 30) / 1000.0 * 0.005 + 8 * 30 / 1000.0 * 0.005;
  ASSERT_EQ(plan.monthly.size(), 2u);
  EXPECT_NEAR(plan.monthly[0].storage, storage, 1e-12);
  EXPECT_NEAR(plan.monthly[0].requests, requests, 1e-12);
  EXPECT_NEAR(plan.monthly_total.total(), 2 * (storage + requests), 1e-12);
  EXPECT_DOUBLE_EQ(plan.storage_factor, 2);
}

TEST(PlanTest, DefaultReadsAndTheFastestPlanDiffer) {
  // Replicas at 100 and 25 MB/s: arkiv reads both in turn (450 MB at 25 MB/s
  // = 18 s); reading the fast one alone (read_cost) takes 9 s.
  auto clouds = Clouds(2, "s3-standard");
  clouds[0].profile.download_rate = 100e6;
  clouds[1].profile.download_rate = 25e6;
  for (auto& c : clouds) c.profile.latency = 0;
  auto candidates = *CandidatePolicies(std::nullopt, 2, {});
  ASSERT_OK_AND_ASSIGN(PolicyPlan plan, PlanPolicy(candidates[0], clouds, Figures(), PlanSettings{}));
  ASSERT_TRUE(plan.all_up && plan.fastest_plan && plan.fastest_lost);
  EXPECT_EQ(plan.all_up->clouds, (std::vector<size_t>{0, 1}));
  EXPECT_DOUBLE_EQ(plan.all_up->seconds, 18);
  EXPECT_EQ(plan.fastest_plan->clouds, (std::vector<size_t>{0}));
  EXPECT_DOUBLE_EQ(plan.fastest_plan->seconds, 9);
  EXPECT_EQ(plan.fastest_cloud, 0u);
  EXPECT_DOUBLE_EQ(plan.fastest_lost->seconds, 36);
  // With a lower read_cost on the fast cloud, arkiv reads it alone.
  clouds[1].read_cost = 2;
  ASSERT_OK_AND_ASSIGN(PolicyPlan preferred, PlanPolicy(candidates[0], clouds, Figures(), PlanSettings{}));
  EXPECT_DOUBLE_EQ(preferred.all_up->seconds, 9);
}

TEST(PlanTest, MeasuredStorageWinsOverTheDerivedOne) {
  auto clouds = Clouds(1);
  Candidate current;
  current.clouds = {0};
  current.write_quorum = 1;
  current.current = true;
  current.measured = {StoredBytes{1100e6, 5e6}};
  ASSERT_OK_AND_ASSIGN(PolicyPlan plan, PlanPolicy(current, clouds, Figures(), PlanSettings{}));
  EXPECT_DOUBLE_EQ(plan.stored[0].total(), 1105e6);
  EXPECT_DOUBLE_EQ(plan.storage_factor, 1.1);
  // One cloud: losing it leaves nothing to restore from.
  EXPECT_FALSE(plan.fastest_lost.has_value());
  EXPECT_NEAR(plan.reliability.loss_per_year, clouds[0].profile.loss_per_year, 1e-15);
}

}  // namespace
}  // namespace arkiv::planning
