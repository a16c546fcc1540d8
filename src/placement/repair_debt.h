// Repair debt: placements a cloud missed because it was down or failed, and
// removes it missed (design.md §20.3). Written as `repair/<sha256>` objects,
// plain JSON, to every cloud that is up, before the index and snapshot that
// depend on them (and, for a remove, before Remove returns).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"

namespace arkiv::placement {

inline constexpr std::string_view kRepairPrefix = "repair/";

// What the cloud owes: a copy or shard it lacks (kPlace), or a copy or shard
// it still holds of an object removed from the others (kRemove).
enum class DebtOp { kPlace, kRemove };

struct DebtEntry {
  std::string object;  // the logical object name ("data/ab/…", "index/…")
  std::string cloud;   // the cloud that lacks (kPlace) or still holds (kRemove) its copy or shard
  DebtOp op = DebtOp::kPlace;
  friend bool operator==(const DebtEntry&, const DebtEntry&) = default;
  friend auto operator<=>(const DebtEntry&, const DebtEntry&) = default;
};

struct DebtRecord {
  int64_t time_ns = 0;
  std::string host;
  std::vector<DebtEntry> entries;  // both kinds

  // Placements go in "missing" (as in every version), removes in "removed":
  // a reader older than remove debt ignores that list.
  Bytes Serialize() const;
  // kDataLoss when malformed.
  static Result<DebtRecord> Parse(ByteView bytes);
  bool HasRemovals() const;
};

}  // namespace arkiv::placement
