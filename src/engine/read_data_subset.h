// Which packs `check --read-data-subset` reads, so that verifying every byte
// can be spread over days (issue 7, design.md §14.1).
//
//   "n/m"    slice n of m (1 ≤ n ≤ m): the packs whose id, read as a number,
//            is n-1 modulo m. Running 1/m … m/m reads every pack exactly once,
//            whatever was added in between (a pack's slice never changes).
//   "x%"     a random x% of the packs (0 < x ≤ 100), at least one.
//   "SIZE"   random packs up to SIZE bytes in all ("500MiB", "2G").
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/id.h"
#include "core/status.h"

namespace arkiv::engine {

class ReadDataSubset {
 public:
  enum class Kind { kAll, kSlice, kPercent, kBytes };

  // Everything: what --read-data reads.
  ReadDataSubset() = default;
  // kInvalidArgument saying the three accepted forms.
  static Result<ReadDataSubset> Parse(std::string_view text);

  Kind kind() const { return kind_; }
  // As the user wrote it, normalised ("3/10", "2.5%", "500 MiB"); "all".
  std::string ToString() const;

  struct Pack {
    Id id;
    uint64_t size = 0;
  };
  // The positions in `packs` to read, ascending. `random` drives the
  // percentage and size forms only.
  std::vector<size_t> Select(const std::vector<Pack>& packs, std::mt19937_64& random) const;

 private:
  Kind kind_ = Kind::kAll;
  uint64_t slice_ = 0;   // 1-based
  uint64_t slices_ = 0;
  double percent_ = 100;
  uint64_t bytes_ = 0;
};

// The slice of `id` among `slices` (0-based): its first 8 bytes, big-endian,
// modulo `slices`. Ids are SHA-256 values, so slices are even.
uint64_t SliceOf(const Id& id, uint64_t slices);

}  // namespace arkiv::engine
