#include "planning/reliability.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace arkiv::planning {
namespace {

using placement::Policy;

Policy Ec(int k, int m) {
  return Policy{Policy::Kind::kErasure, k, m};
}
const Policy kReplicate{};

double Choose(int n, int k) {
  double c = 1;
  for (int i = 1; i <= k; ++i) c = c * (n - k + i) / i;
  return c;
}

// P(at least k of the events) by listing all 2^n outcomes.
double BruteForceAtLeast(const std::vector<double>& p, int k) {
  double total = 0;
  for (uint32_t outcome = 0; outcome < (1u << p.size()); ++outcome) {
    double prob = 1;
    int count = 0;
    for (size_t i = 0; i < p.size(); ++i) {
      bool happened = outcome >> i & 1;
      prob *= happened ? p[i] : 1 - p[i];
      count += happened;
    }
    if (count >= k) total += prob;
  }
  return total;
}

double Loss(const Policy& policy, const std::vector<double>& p, double beta = 0) {
  std::vector<double> up(p.size(), 1.0);
  return ReliabilityOf(policy, 1, p, up, beta).loss_per_year;
}

TEST(ReliabilityTest, ReplicateOverTwoLosesDataOnlyWhenBothAreLost) {
  for (double p : {0.01, 0.05, 0.3}) {
    EXPECT_NEAR(Loss(kReplicate, {p, p}), p * p, 1e-15) << p;
    EXPECT_NEAR(Loss(kReplicate, {p, p, p}), p * p * p, 1e-15) << p;
  }
}

TEST(ReliabilityTest, Ec21MatchesItsClosedForm) {
  for (double p : {0.001, 0.01, 0.2, 0.5}) {
    EXPECT_NEAR(Loss(Ec(2, 1), {p, p, p}), 3 * p * p - 2 * p * p * p, 1e-15) << p;
  }
}

TEST(ReliabilityTest, Ec32MatchesTheBinomialTail) {
  for (double p : {0.001, 0.01, 0.2}) {
    double expected = 0;
    for (int i = 3; i <= 5; ++i) expected += Choose(5, i) * std::pow(p, i) * std::pow(1 - p, 5 - i);
    EXPECT_NEAR(Loss(Ec(3, 2), {p, p, p, p, p}), expected, expected * 1e-12) << p;
  }
}

TEST(ReliabilityTest, UnequalProbabilitiesMatchBruteForceEnumeration) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> uniform(0.0, 0.6);
  for (size_t n = 1; n <= 8; ++n) {
    std::vector<double> p(n);
    for (double& x : p) x = uniform(rng);
    std::vector<double> dist = CountDistribution(p);
    double sum = 0;
    for (double d : dist) sum += d;
    EXPECT_NEAR(sum, 1.0, 1e-12);
    for (int k = 0; k <= static_cast<int>(n) + 1; ++k) {
      EXPECT_NEAR(ProbabilityAtLeast(p, k), BruteForceAtLeast(p, k), 1e-12) << "n=" << n << " k=" << k;
    }
  }
}

TEST(ReliabilityTest, TinyProbabilitiesKeepTheirPrecision) {
  // 1 − (1 − p)^3 style cancellation would give 0 or noise here.
  double p = 1e-6;
  EXPECT_NEAR(Loss(kReplicate, {p, p, p}) / 1e-18, 1.0, 1e-9);
  EXPECT_NEAR(Loss(Ec(2, 1), {p, p, p}) / (3 * p * p - 2 * p * p * p), 1.0, 1e-9);
}

TEST(ReliabilityTest, NoCommonCauseIsIndependence) {
  std::vector<double> p = {0.01, 0.03, 0.02};
  EXPECT_DOUBLE_EQ(ProbabilityAtLeast(p, 2, 0.0), ProbabilityAtLeast(p, 2));
}

TEST(ReliabilityTest, CommonCauseRaisesTheLossProbabilityMonotonically) {
  std::vector<double> p = {0.01, 0.03, 0.02};
  double previous = -1;
  for (double beta = 0; beta <= 1.0001; beta += 0.05) {
    double loss = Loss(Ec(2, 1), p, beta);
    EXPECT_GT(loss, previous) << beta;
    previous = loss;
  }
  // A tolerated loss of zero clouds (one cloud) does not depend on beta.
  EXPECT_NEAR(Loss(kReplicate, {0.02}, 0.5), 0.02, 1e-15);
}

TEST(ReliabilityTest, CommonCauseMatchesTheBetaFactorFormula) {
  double p = 0.02, beta = 0.1;
  double c = beta * p, q = (p - c) / (1 - c);
  EXPECT_NEAR(Loss(kReplicate, {p, p}, beta), c + (1 - c) * q * q, 1e-15);
  // Every cloud still fails with probability p on its own.
  EXPECT_NEAR(ProbabilityAtLeast(std::vector<double>{p}, 1, beta), p, 1e-15);
  // beta = 1 with equal p: the clouds are lost together or not at all.
  EXPECT_NEAR(Loss(kReplicate, {p, p, p}, 1.0), p, 1e-15);
  // Unequal p: losing all of them can never be likelier than losing the
  // least likely one; at beta = 1 it is exactly that.
  std::vector<double> unequal = {0.03, 0.01, 0.02};
  for (double b : {0.0, 0.3, 0.7, 1.0}) EXPECT_LE(ProbabilityAtLeast(unequal, 3, b), 0.01 + 1e-15) << b;
  EXPECT_NEAR(ProbabilityAtLeast(unequal, 3, 1.0), 0.01, 1e-15);
}

TEST(ReliabilityTest, AvailabilityIsKOfN) {
  double a = 0.99;
  std::vector<double> loss(3, 0.0), up(3, a);
  // ec:2+1: a restore needs 2 of 3; the default quorum is 2 as well.
  Reliability r = ReliabilityOf(Ec(2, 1), 2, loss, up, 0);
  double two_of_three = a * a * a + 3 * a * a * (1 - a);
  EXPECT_NEAR(r.restore_can_start(), two_of_three, 1e-15);
  EXPECT_NEAR(r.quorum_reached(), two_of_three, 1e-15);
  EXPECT_NEAR(r.restore_blocked, 1 - two_of_three, 1e-15);
  // A quorum of all three needs every cloud.
  EXPECT_NEAR(ReliabilityOf(Ec(2, 1), 3, loss, up, 0).quorum_reached(), a * a * a, 1e-15);
  // Replicate: one cloud is enough to start a restore.
  std::vector<double> two_up = {0.99, 0.9}, two_loss = {0, 0};
  EXPECT_NEAR(ReliabilityOf(kReplicate, 1, two_loss, two_up, 0).restore_blocked, 0.01 * 0.1, 1e-15);
}

TEST(ReliabilityTest, ToleranceAndReadersPerPolicy) {
  EXPECT_EQ(ToleratedLosses(kReplicate, 3), 2);
  EXPECT_EQ(ToleratedLosses(Ec(3, 2), 5), 2);
  EXPECT_EQ(CloudsToRead(kReplicate), 1);
  EXPECT_EQ(CloudsToRead(Ec(3, 2)), 3);
}

}  // namespace
}  // namespace arkiv::planning
