// Retention: which snapshots `forget` keeps.
//
// Snapshots are grouped by host and paths; within a group, newest first, a
// snapshot is kept if any rule keeps it:
//   last N      the N newest
//   hourly N … yearly N   the newest snapshot of each of the N most recent
//                hours (days, ISO weeks, months, years) that have one
//   within D    every snapshot younger than D before the group's newest
//   tag T       every snapshot carrying tag T
// Calendar buckets use the local time zone (set TZ for another).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "repo/repository.h"

namespace arkiv::engine {

struct RetentionPolicy {
  int last = 0;
  int hourly = 0;
  int daily = 0;
  int weekly = 0;
  int monthly = 0;
  int yearly = 0;
  int64_t within_ns = 0;
  std::vector<std::string> tags;

  bool Empty() const;
};

struct ForgetPlan {
  std::vector<repo::SnapshotRecord> keep;
  std::vector<repo::SnapshotRecord> remove;
  std::map<Id, std::vector<std::string>> reasons;  // why each kept one is kept
};

// `snapshots` is one group. An empty policy keeps everything.
ForgetPlan PlanRetention(std::vector<repo::SnapshotRecord> snapshots, const RetentionPolicy& policy);

// Durations like "1y2m3d4h": a sequence of <number><unit> with units y (365
// days), m (30 days), w, d and h. nullopt when malformed or out of range.
std::optional<int64_t> ParseDuration(std::string_view text);

}  // namespace arkiv::engine
