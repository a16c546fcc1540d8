// Reed-Solomon erasure coding over GF(2^8) with ISA-L: k data shards and m
// parity shards, any k of which give back the data (docs/design.md,
// "Shards (erasure-coded packs)").
//
// Layout: data of length L is cut into k shards of S = ceil(L / k) bytes;
// shard i holds bytes [i·S, (i+1)·S), the last one zero-padded. Parity shard
// k+p is Σ_j C[p][j]·shard_j with the Cauchy matrix C[p][j] = 1 / ((k+p) XOR j)
// (ISA-L's gf_gen_cauchy1_matrix, polynomial 0x11D). Every k×k submatrix of
// [identity; C] is invertible, so every choice of k surviving shards decodes.
// The matrix is part of the stored format: shards written today must decode
// with any later arkiv.
//
// Thread safety: an ErasureCode is immutable; all methods may be called
// concurrently.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"

namespace arkiv::placement {

// Bytes per shard for `data_size` bytes over `data_shards` shards:
// ceil(data_size / data_shards). Not rounded up to a SIMD width: ISA-L
// handles any length, and rounding would only store more padding.
// REQUIRES: data_shards ≥ 1.
uint64_t ShardSizeFor(uint64_t data_size, int data_shards);

class ErasureCode {
 public:
  // k + m: one shard per cloud, and 32 clouds is far beyond any placement
  // arkiv is meant for; it also keeps every index in the shard header's u8.
  static constexpr int kMaxShards = 32;

  // kInvalidArgument unless 1 ≤ data_shards, 0 ≤ parity_shards and
  // data_shards + parity_shards ≤ kMaxShards.
  static Result<ErasureCode> Create(int data_shards, int parity_shards);

  int data_shards() const { return k_; }
  int parity_shards() const { return m_; }
  int total_shards() const { return k_ + m_; }
  uint64_t ShardSize(uint64_t data_size) const { return ShardSizeFor(data_size, k_); }

  // Returns k + m shards of ShardSize(data.size()) bytes: the data shards
  // (the last zero-padded), then the parity shards.
  std::vector<Bytes> Encode(ByteView data) const;

  // Returns the `data_size` original bytes from `shards` (k + m entries,
  // nullopt where a shard is missing). Uses the data shards as they are and
  // decodes only the missing ones, from the first k shards present.
  // Errors: kInvalidArgument if `shards` does not have k + m entries or a
  // present shard is not ShardSize(data_size) bytes; kDataLoss if fewer than
  // k shards are present, or if the decoded padding is not zero (the shards
  // do not belong together).
  // Erasure coding corrects erasures, not errors: a shard with wrong bytes
  // gives wrong data. Callers verify each shard's checksum (shard.h) first.
  Result<Bytes> Decode(std::span<const std::optional<Bytes>> shards, uint64_t data_size) const;

  // Fills every missing entry of `shards` (data and parity alike) with the
  // bytes Encode gave it, so repair can rewrite any lost shard. The code
  // works on each byte position on its own, so the entries may also be the
  // same byte range [a, b) of every shard: a ranged read of a lost data shard
  // needs only that range of k others.
  // Errors: kInvalidArgument if `shards` does not have k + m entries or the
  // present shards differ in size; kDataLoss if fewer than k are present.
  // On error `shards` is unchanged.
  Status Reconstruct(std::vector<std::optional<Bytes>>& shards) const;

 private:
  ErasureCode(int k, int m);

  // Rows (k coefficients each) that compute shards `targets` from shards
  // `sources` (k distinct indices of present shards).
  Result<Bytes> RecoveryRows(std::span<const int> sources, std::span<const int> targets) const;
  // Checks that `shards` has k + m entries and at least k present; returns
  // the indices of the present ones.
  Result<std::vector<int>> PresentShards(std::span<const std::optional<Bytes>> shards) const;

  int k_;
  int m_;
  Bytes matrix_;         // (k + m) × k, row-major: identity, then the Cauchy rows
  Bytes parity_tables_;  // ISA-L's expanded tables for the m Cauchy rows
};

}  // namespace arkiv::placement
