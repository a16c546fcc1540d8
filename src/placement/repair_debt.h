// Repair debt: placements a cloud missed because it was down or failed
// (design.md §20.3). Written as `repair/<sha256>` objects, plain JSON, to
// every cloud that is up, before the index and snapshot that depend on them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"

namespace arkiv::placement {

inline constexpr std::string_view kRepairPrefix = "repair/";

struct DebtEntry {
  std::string object;  // the logical object name ("data/ab/…", "index/…")
  std::string cloud;   // the cloud that lacks its copy or shard
  friend bool operator==(const DebtEntry&, const DebtEntry&) = default;
  friend auto operator<=>(const DebtEntry&, const DebtEntry&) = default;
};

struct DebtRecord {
  int64_t time_ns = 0;
  std::string host;
  std::vector<DebtEntry> entries;

  Bytes Serialize() const;
  // kDataLoss when malformed.
  static Result<DebtRecord> Parse(ByteView bytes);
};

}  // namespace arkiv::placement
