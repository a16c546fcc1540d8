#include "planning/reliability.h"

#include <algorithm>

namespace arkiv::planning {

std::vector<double> CountDistribution(std::span<const double> p) {
  std::vector<double> dist(p.size() + 1, 0.0);
  dist[0] = 1;
  for (size_t i = 0; i < p.size(); ++i) {
    // Downwards, so that dist[j - 1] is still the value before event i.
    for (size_t j = i + 1; j > 0; --j) dist[j] = dist[j] * (1 - p[i]) + dist[j - 1] * p[i];
    dist[0] *= 1 - p[i];
  }
  return dist;
}

double ProbabilityAtLeast(std::span<const double> p, int k) {
  if (k <= 0) return 1;
  if (static_cast<size_t>(k) > p.size()) return 0;
  std::vector<double> dist = CountDistribution(p);
  double tail = 0;
  // Smallest terms first.
  for (size_t j = dist.size(); j-- > static_cast<size_t>(k);) tail += dist[j];
  return std::min(tail, 1.0);
}

double ProbabilityAtLeast(std::span<const double> p, int k, double beta) {
  if (k <= 0) return 1;
  if (static_cast<size_t>(k) > p.size()) return 0;
  double c = beta * *std::min_element(p.begin(), p.end());
  if (c <= 0) return ProbabilityAtLeast(p, k);
  if (c >= 1) return 1;
  std::vector<double> q(p.size());
  for (size_t i = 0; i < p.size(); ++i) q[i] = std::clamp((p[i] - c) / (1 - c), 0.0, 1.0);
  return std::min(1.0, c + (1 - c) * ProbabilityAtLeast(q, k));
}

int ToleratedLosses(const placement::Policy& policy, int clouds) {
  return policy.erasure() ? policy.m : clouds - 1;
}

int CloudsToRead(const placement::Policy& policy) {
  return policy.erasure() ? policy.k : 1;
}

Reliability ReliabilityOf(const placement::Policy& policy, int write_quorum, std::span<const double> loss_per_year,
                          std::span<const double> availability, double beta) {
  int n = static_cast<int>(availability.size());
  std::vector<double> down(availability.size());
  for (size_t i = 0; i < down.size(); ++i) down[i] = 1 - availability[i];
  Reliability r;
  r.loss_per_year = ProbabilityAtLeast(loss_per_year, ToleratedLosses(policy, n) + 1, beta);
  // Fewer than K up means more than n − K down.
  r.restore_blocked = ProbabilityAtLeast(down, n - CloudsToRead(policy) + 1, beta);
  r.quorum_missed = ProbabilityAtLeast(down, n - write_quorum + 1, beta);
  return r;
}

}  // namespace arkiv::planning
