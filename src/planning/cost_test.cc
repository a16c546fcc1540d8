#include "planning/cost.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/status_test_util.h"

namespace arkiv::planning {
namespace {

const placement::Policy kReplicate{};

ProviderProfile Kind(std::string_view kind) {
  return *DefaultProfile(kind);
}

// One cloud serving all of `bytes` in `requests` GETs.
ReadPlan Single(double bytes, double requests) {
  return ReadPlan{{0}, {CloudLoad{bytes, requests}}};
}

TEST(CostTest, MonthlyStorageAndRequests) {
  // S3 Standard: 100 GB at $0.023, 10,000 PUTs at $0.005/1000, 2,000 LISTs at $0.005/1000.
  MonthlyCost m = MonthlyCostOf(Kind("s3-standard"), 100 * kBytesPerGb, 10000, 2000);
  EXPECT_NEAR(m.storage, 2.30, 1e-12);
  EXPECT_NEAR(m.requests, 0.05 + 0.01, 1e-12);
  EXPECT_NEAR(m.total(), 2.36, 1e-12);
}

TEST(CostTest, WasabiBillsAtLeastOneTerabyte) {
  MonthlyCost m = MonthlyCostOf(Kind("wasabi"), 10 * kBytesPerGb, 1000, 0);
  EXPECT_NEAR(m.storage, 1024 * 0.00599, 1e-12);
  EXPECT_EQ(m.requests, 0);
}

TEST(CostTest, RestoreFromS3PaysEgressBeyondTheFreeAllowance) {
  // 1 TB (1024 GB) and a million GETs: (1024 − 100) × $0.09 + 1000 × $0.0004.
  std::vector<ProviderProfile> clouds = {Kind("s3-standard")};
  std::vector<double> stored = {1024 * kBytesPerGb};
  RestoreCost c = RestoreCostOf(Single(1024 * kBytesPerGb, 1e6), clouds, stored);
  EXPECT_NEAR(c.egress, 924 * 0.09, 1e-9);
  EXPECT_NEAR(c.requests, 0.40, 1e-12);
  EXPECT_EQ(c.retrieval, 0);
}

TEST(CostTest, B2IsFreeUpToThreeTimesTheStoredVolume) {
  std::vector<ProviderProfile> clouds = {Kind("b2")};
  std::vector<double> stored = {100 * kBytesPerGb};
  EXPECT_EQ(RestoreCostOf(Single(250 * kBytesPerGb, 0), clouds, stored).egress, 0);
  EXPECT_NEAR(RestoreCostOf(Single(400 * kBytesPerGb, 0), clouds, stored).egress, 100 * 0.01, 1e-12);
}

TEST(CostTest, R2HasNoEgressAndInfrequentAccessClassesPayRetrieval) {
  std::vector<double> stored = {100 * kBytesPerGb};
  std::vector<ProviderProfile> r2 = {Kind("r2")};
  EXPECT_EQ(RestoreCostOf(Single(100 * kBytesPerGb, 0), r2, stored).egress, 0);
  std::vector<ProviderProfile> ia = {Kind("s3-ia")};
  RestoreCost c = RestoreCostOf(Single(10 * kBytesPerGb, 0), ia, stored);
  EXPECT_NEAR(c.retrieval, 10 * 0.01, 1e-12);
  EXPECT_EQ(c.egress, 0);  // within AWS's free 100 GB
}

TEST(CostTest, CheapestPlanWithinTheRto) {
  // Two replicas: S3 fast and expensive, B2 slow and free (within 3× stored).
  auto s3 = Kind("s3-standard"), b2 = Kind("b2");
  s3.download_rate = 100e6;
  b2.download_rate = 10e6;
  s3.latency = b2.latency = 0;
  std::vector<ProviderProfile> clouds = {s3, b2};
  std::vector<double> stored = {500 * kBytesPerGb, 500 * kBytesPerGb};
  double bytes = 500 * kBytesPerGb;
  auto plans = ReadPlans(kReplicate, {true, true}, RestoreWork{bytes, 0});
  ASSERT_OK(plans);
  // A week: B2 alone (free) takes bytes / 10e6 ≈ 15 h.
  auto loose = CheapestWithin(*plans, clouds, stored, 0, 7 * 86400);
  ASSERT_TRUE(loose.has_value());
  EXPECT_EQ(loose->plan.clouds, (std::vector<size_t>{1}));
  EXPECT_EQ(loose->cost.total(), 0);
  EXPECT_NEAR(loose->seconds, bytes / 10e6, 1e-6);
  // Two hours: only S3 alone (≈ 1.5 h) makes it; both together take 7.5 h.
  auto tight = CheapestWithin(*plans, clouds, stored, 0, 2 * 3600);
  ASSERT_TRUE(tight.has_value());
  EXPECT_EQ(tight->plan.clouds, (std::vector<size_t>{0}));
  EXPECT_NEAR(tight->cost.egress, 400 * 0.09, 1e-9);
  // A minute: nothing is quick enough.
  EXPECT_FALSE(CheapestWithin(*plans, clouds, stored, 0, 60).has_value());
}

}  // namespace
}  // namespace arkiv::planning
