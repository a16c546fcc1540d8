// Probabilities of a k-of-n placement (docs/planning.md, "Reliability"):
// losing data within a year, a restore being able to start, a backup
// reaching its write quorum — exactly for clouds with unequal probabilities
// (Poisson-binomial), optionally with a common-cause term for failures that
// strike every cloud at once.
#pragma once

#include <span>
#include <vector>

#include "placement/policy.h"

namespace arkiv::planning {

// The distribution of how many of n independent events happen, event i with
// probability p[i] (Poisson-binomial), computed exactly by adding one event
// at a time: entry j is P(exactly j). Only sums of products of non-negative
// terms, so small probabilities keep their relative precision.
// REQUIRES: every p[i] in [0, 1].
std::vector<double> CountDistribution(std::span<const double> p);

// P(at least `k` of the independent events happen), summed from the tail.
// 1 for k <= 0, 0 for k > n.
double ProbabilityAtLeast(std::span<const double> p, int k);

// The same with common-cause failures, in the beta-factor model: with
// probability c = beta · min(p) one event strikes all n at once; otherwise
// event i happens independently with q[i] = (p[i] − c) / (1 − c), so that
// each one's own probability stays p[i]:
//   P(at least k) = c + (1 − c) · P_q(at least k)      (1 <= k <= n).
// beta = 0 is independence; beta = 1 with equal p is "all or nothing".
// REQUIRES: beta in [0, 1].
double ProbabilityAtLeast(std::span<const double> p, int k, double beta);

// How many clouds a policy over `clouds` clouds may lose and keep every
// pack: M for ec:K+M, N − 1 for replicate.
int ToleratedLosses(const placement::Policy& policy, int clouds);
// How many clouds must answer to read every pack: K for ec, 1 for replicate.
int CloudsToRead(const placement::Policy& policy);

struct Reliability {
  double loss_per_year = 0;    // P(more clouds lost than tolerated)
  double restore_blocked = 0;  // P(fewer than CloudsToRead answer) at a random moment
  double quorum_missed = 0;    // P(fewer than the write quorum answer) at a random moment
  double restore_can_start() const { return 1 - restore_blocked; }
  double quorum_reached() const { return 1 - quorum_missed; }
};

// The three probabilities for `policy` over clouds with these annual loss
// probabilities and availabilities (same order), the common-cause factor
// applied to losses and to unavailability alike.
Reliability ReliabilityOf(const placement::Policy& policy, int write_quorum, std::span<const double> loss_per_year,
                          std::span<const double> availability, double beta);

}  // namespace arkiv::planning
