// `arkiv repair`: rebuilds what an audit found missing or corrupt on a cloud
// from the other clouds — copies from a verified copy, shards re-encoded
// from the pack decoded (and verified) from the others — removes the
// leftovers of removes a cloud missed (remove debt), then removes the repair
// records it has discharged. Idempotent and resumable: a second run audits
// again and finds nothing left to do.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "engine/cloud_audit.h"
#include "placement/placement_store.h"

namespace arkiv::engine {

struct CloudRepairReport {
  uint64_t rebuilt = 0;            // objects written to a cloud
  uint64_t bytes_written = 0;
  uint64_t removed = 0;             // leftovers of removes deleted
  uint64_t retained = 0;            // leftovers a retention lock keeps for now
  std::vector<std::string> failed;  // "cloud: object: why"
  uint64_t records_removed = 0;    // repair/ records discharged
};

// Repairs the missing and corrupt findings of `audit` and removes its due
// leftovers; unexpected objects are left to `prune` (they may be a running
// backup's). With `dry_run`
// nothing is written and the report counts what would be.
//
// Objects are read through `source` when given (`rebalance`: the clouds in
// their current layout, while `clouds` is the layout being built), else
// through `clouds` itself. Each object is read once however many clouds
// lack it or a shard of it.
Result<CloudRepairReport> RepairClouds(placement::PlacementStore& clouds, const CloudAuditReport& audit, bool dry_run,
                                       const std::function<void(std::string_view)>& progress = nullptr,
                                       placement::PlacementStore* source = nullptr);

}  // namespace arkiv::engine
