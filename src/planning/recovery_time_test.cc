#include "planning/recovery_time.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/status_test_util.h"

namespace arkiv::planning {
namespace {

using placement::Policy;

Policy Ec(int k, int m) {
  return Policy{Policy::Kind::kErasure, k, m};
}
const Policy kReplicate{};
constexpr double kMB = 1e6;

// Clouds with these download rates (MB/s), no latency.
std::vector<ProviderProfile> Clouds(const std::vector<double>& rates_mb) {
  std::vector<ProviderProfile> clouds;
  for (double rate : rates_mb) {
    ProviderProfile p;
    p.download_rate = rate * kMB;
    p.latency = 0;
    p.connections = 8;
    clouds.push_back(p);
  }
  return clouds;
}

std::vector<bool> AllBut(size_t n, std::vector<size_t> down) {
  std::vector<bool> up(n, true);
  for (size_t i : down) up[i] = false;
  return up;
}

TimedPlan Fastest(const Policy& policy, const std::vector<ProviderProfile>& clouds, const std::vector<bool>& up,
                  RestoreWork work, double link = 0) {
  auto plans = ReadPlans(policy, up, work);
  EXPECT_TRUE(plans.has_value());
  auto best = FastestPlan(*plans, clouds, link);
  EXPECT_TRUE(best.has_value());
  return best.value_or(TimedPlan{});
}

TEST(ReadPlanTest, PlansPerPolicy) {
  RestoreWork work{1000, 10};
  EXPECT_EQ(ReadPlans(kReplicate, AllBut(3, {}), work)->size(), 7u);  // every non-empty set
  EXPECT_EQ(ReadPlans(kReplicate, AllBut(3, {0, 1}), work)->size(), 1u);
  EXPECT_EQ(ReadPlans(kReplicate, AllBut(2, {0, 1}), work)->size(), 0u);
  EXPECT_EQ(ReadPlans(Ec(2, 1), AllBut(3, {}), work)->size(), 1u);      // data shards in place
  EXPECT_EQ(ReadPlans(Ec(2, 1), AllBut(3, {0}), work)->size(), 1u);     // decode from {1, 2}
  EXPECT_EQ(ReadPlans(Ec(3, 2), AllBut(5, {1}), work)->size(), 5u);     // decode sets of 3 or 4 of 4
  EXPECT_EQ(ReadPlans(Ec(2, 1), AllBut(3, {0, 2}), work)->size(), 0u);  // too few to read
  EXPECT_EQ(CodeOf(ReadPlans(Ec(2, 1), AllBut(4, {}), work)), Code::kInvalidArgument);
  EXPECT_EQ(CodeOf(ReadPlans(kReplicate, AllBut(17, {}), work)), Code::kInvalidArgument);
}

TEST(ReadPlanTest, ErasureLoadFollowsTheReadPath) {
  // ec:2+1, data cloud 0 out: cloud 1 serves its half plus half of the
  // decode reads (K ranges per lost blob, spread over {1, 2}); cloud 2 the other half.
  auto plans = ReadPlans(Ec(2, 1), AllBut(3, {0}), RestoreWork{1000, 100});
  ASSERT_OK(plans);
  ASSERT_EQ(plans->size(), 1u);
  const ReadPlan& plan = plans->front();
  EXPECT_EQ(plan.clouds, (std::vector<size_t>{1, 2}));
  EXPECT_DOUBLE_EQ(plan.load[1].bytes, 500 + 500);
  EXPECT_DOUBLE_EQ(plan.load[2].bytes, 500);
  EXPECT_DOUBLE_EQ(plan.load[1].requests, 50 + 50);
  EXPECT_DOUBLE_EQ(plan.load[2].requests, 50);
}

std::optional<ReadPlan> Default(const Policy& policy, const std::vector<bool>& up, std::vector<double> cost,
                                std::vector<double> latency) {
  auto plan = DefaultReadPlan(policy, up, cost, latency, RestoreWork{1000, 10});
  EXPECT_TRUE(plan.has_value()) << plan.error().ToString();
  return plan.value_or(std::nullopt);
}

TEST(ReadPlanTest, DefaultPlanFollowsReadCostAndLatency) {
  // Replicas of equal cost take turns; a lower read_cost is read alone.
  EXPECT_EQ(Default(kReplicate, AllBut(3, {}), {1, 1, 1}, {0.01, 0.01, 0.01})->clouds, (std::vector<size_t>{0, 1, 2}));
  EXPECT_EQ(Default(kReplicate, AllBut(3, {}), {2, 1, 1}, {0.01, 0.01, 0.01})->clouds, (std::vector<size_t>{1, 2}));
  EXPECT_EQ(Default(kReplicate, AllBut(3, {1}), {2, 1, 2}, {0.01, 0.01, 0.01})->clouds, (std::vector<size_t>{0, 2}));
  // A cloud over 3× the best latency is read only when nothing else is left.
  EXPECT_EQ(Default(kReplicate, AllBut(2, {}), {1, 1}, {0.01, 0.05})->clouds, (std::vector<size_t>{0}));
  EXPECT_EQ(Default(kReplicate, AllBut(2, {0}), {1, 1}, {0.01, 0.05})->clouds, (std::vector<size_t>{1}));
  // A best latency of 0 (a local disk) makes nothing slow.
  EXPECT_EQ(Default(kReplicate, AllBut(2, {}), {1, 1}, {0, 0.001})->clouds, (std::vector<size_t>{0, 1}));
  // ec: the decode set is the cheapest tiers that hold K clouds together.
  EXPECT_EQ(Default(Ec(3, 2), AllBut(5, {0}), {1, 1, 1, 1, 5}, std::vector<double>(5, 0.01))->clouds,
            (std::vector<size_t>{1, 2, 3}));
  EXPECT_EQ(Default(Ec(3, 2), AllBut(5, {0}), {1, 1, 2, 2, 2}, std::vector<double>(5, 0.01))->clouds,
            (std::vector<size_t>{1, 2, 3, 4}));
  auto all_up = Default(Ec(3, 2), AllBut(5, {}), {5, 5, 5, 1, 1}, std::vector<double>(5, 0.01));
  EXPECT_EQ(all_up->clouds, (std::vector<size_t>{0, 1, 2}));  // data shards in place, whatever the cost
  // Too few clouds: no plan.
  EXPECT_FALSE(Default(Ec(2, 1), AllBut(3, {0, 1}), {1, 1, 1}, {0.01, 0.01, 0.01}).has_value());
  EXPECT_EQ(CodeOf(DefaultReadPlan(kReplicate, AllBut(2, {}), {1}, {0.01, 0.01}, RestoreWork{})),
            Code::kInvalidArgument);
}

TEST(RecoveryTimeTest, ReplicasAddTheirBandwidth) {
  // 1000 MB from two clouds of 100 MB/s: 500 MB each, 5 s.
  auto best = Fastest(kReplicate, Clouds({100, 100}), AllBut(2, {}), {1000 * kMB, 0});
  EXPECT_DOUBLE_EQ(best.seconds, 5);
  EXPECT_EQ(best.plan.clouds, (std::vector<size_t>{0, 1}));
  // Fastest lost: the other one alone, 10 s.
  EXPECT_DOUBLE_EQ(Fastest(kReplicate, Clouds({100, 100}), AllBut(2, {0}), {1000 * kMB, 0}).seconds, 10);
}

TEST(RecoveryTimeTest, ASlowReplicaIsLeftOutWhenItWouldHoldUpTheRestore) {
  // Equal shares: {100, 25} together take 500/25 = 20 s, the fast one alone 10 s.
  auto alone = Fastest(kReplicate, Clouds({100, 25}), AllBut(2, {}), {1000 * kMB, 0});
  EXPECT_DOUBLE_EQ(alone.seconds, 10);
  EXPECT_EQ(alone.plan.clouds, (std::vector<size_t>{0}));
  // {100, 80}: 500/80 = 6.25 s beats 10 s.
  EXPECT_DOUBLE_EQ(Fastest(kReplicate, Clouds({100, 80}), AllBut(2, {}), {1000 * kMB, 0}).seconds, 6.25);
}

TEST(RecoveryTimeTest, LatencyIsPaidPerRequestOverTheConnections) {
  auto clouds = Clouds({100});
  clouds[0].latency = 0.05;
  // 100 MB in 1000 requests: 1 s of transfer + 1000 × 0.05 / 8 = 6.25 s of waiting.
  EXPECT_DOUBLE_EQ(Fastest(kReplicate, clouds, AllBut(1, {}), {100 * kMB, 1000}).seconds, 7.25);
}

TEST(RecoveryTimeTest, ThisMachinesLineCapsTheSum) {
  // Two clouds of 100 MB/s behind a 50 MB/s line: 1000 MB take 20 s.
  EXPECT_DOUBLE_EQ(Fastest(kReplicate, Clouds({100, 100}), AllBut(2, {}), {1000 * kMB, 0}, 50 * kMB).seconds, 20);
}

TEST(RecoveryTimeTest, ErasureReadsDataShardsInPlace) {
  // ec:2+1, all up: clouds 0 and 1 serve 500 MB each; the parity cloud is idle.
  auto best = Fastest(Ec(2, 1), Clouds({200, 100, 50}), AllBut(3, {}), {1000 * kMB, 0});
  EXPECT_DOUBLE_EQ(best.seconds, 5);  // 500 MB at 100 MB/s
  EXPECT_EQ(best.plan.clouds, (std::vector<size_t>{0, 1}));
  // The fastest (cloud 0) lost: cloud 1 serves 500 + 500 MB at 100 MB/s,
  // cloud 2 serves 500 MB at 50 MB/s: 10 s either way.
  EXPECT_EQ(FastestCloud(Clouds({200, 100, 50})), 0u);
  EXPECT_DOUBLE_EQ(Fastest(Ec(2, 1), Clouds({200, 100, 50}), AllBut(3, {0}), {1000 * kMB, 0}).seconds, 10);
  // Losing the parity cloud changes nothing.
  EXPECT_DOUBLE_EQ(Fastest(Ec(2, 1), Clouds({100, 100, 500}), AllBut(3, {2}), {1000 * kMB, 0}).seconds, 5);
}

TEST(RecoveryTimeTest, ErasureChoosesTheQuickestDecodeSet) {
  // ec:3+2 over {100, 100, 100, 100, 10} MB/s with data cloud 0 out, 900 MB:
  // clouds 1, 2 serve 300 MB each; the 900 MB of decode reads over {1, 2, 3}
  // take 300 MB each (1, 2: 600 MB → 6 s); adding the slow cloud 4 gives it
  // 225 MB at 10 MB/s = 22.5 s. So the best set is {1, 2, 3}: 6 s.
  auto best = Fastest(Ec(3, 2), Clouds({100, 100, 100, 100, 10}), AllBut(5, {0}), {900 * kMB, 0});
  EXPECT_DOUBLE_EQ(best.seconds, 6);
  EXPECT_EQ(best.plan.clouds, (std::vector<size_t>{1, 2, 3}));
}

}  // namespace
}  // namespace arkiv::planning
