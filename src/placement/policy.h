// How a repository's data packs are spread over its clouds: `replicate`
// (a whole copy on every cloud) or `ec:K+M` (K data shards and M parity
// shards, shard i on cloud i, any M clouds may be lost).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace arkiv::placement {

// ISA-L's Cauchy matrices are invertible for every choice of K rows up to
// this many shards; more clouds than this is not a use case either.
inline constexpr int kMaxShards = 32;

struct Policy {
  enum class Kind { kReplicate, kErasure };
  Kind kind = Kind::kReplicate;
  int k = 1;  // data shards (ec)
  int m = 0;  // parity shards (ec)

  bool erasure() const { return kind == Kind::kErasure; }
  // "replicate" or "ec:K+M".
  std::string ToString() const;
  // How many clouds the policy needs: K+M for ec, any number >= 1 for replicate (0).
  int RequiredClouds() const { return erasure() ? k + m : 0; }
  // The fewest clouds a write may reach and still be readable: K for ec, 1 for replicate.
  int MinimumCopies() const { return erasure() ? k : 1; }
  friend bool operator==(const Policy&, const Policy&) = default;
};

// Parses "replicate" or "ec:K+M" (1 <= K, 1 <= M, K+M <= kMaxShards).
// kInvalidArgument with the accepted forms otherwise.
Result<Policy> ParsePolicy(std::string_view text);

// The write quorum Q for `clouds` clouds: `requested` (0 = default N-1)
// clamped to [MinimumCopies, N]. kInvalidArgument when `requested` is outside
// that range, naming it.
Result<int> EffectiveWriteQuorum(const Policy& policy, int clouds, int requested);

}  // namespace arkiv::placement
