// Removes data no snapshot needs, in two phases, beside running backups
// (docs/design.md §13). The caller holds a prune lock (not an exclusive one).
//
// Phase 1, mark: every blob reachable from a snapshot is used. Packs with no
// used blob, packs no index lists (left by an interrupted backup, or being
// written by a running one) and partly used packs chosen for repacking (most
// wasteful first, until the unused bytes left are at most max_unused_percent
// of the used bytes; their used blobs are first copied into new, indexed
// packs) are named in a sealed prune marker. Nothing is deleted.
//
// Phase 2, sweep: for every marker whose safety window has passed, the used
// blobs are marked again from the snapshots there are *now*; a marked pack is
// deleted unless it holds a used blob with no copy outside the packs being
// deleted (a backup that began before the marker referenced it), and unless it
// was unindexed and is indexed now and used. In crash-safe order: the new
// index (the last file written supersedes every old one), the old index files,
// the packs, the markers. A crash at any step leaves a readable repository.
// A pack or index file the store retains (kRetained, S3 Object Lock) is left
// in place, and the markers naming such packs stay for a later sweep.
//
// Last, where the store retains objects (StoreCapabilities::retains), every
// object still in use — config, keys, cloud sets, snapshots, index files and
// the packs no marker names — has its retention refreshed (Store::
// RefreshRetention), so that old data new snapshots still share stays
// protected.
//
// Backups load the markers before the index and never newly reference a marked
// pack; a backup running longer than its lease re-checks before writing its
// snapshot (engine/backup.h). Hence the window must exceed the backups' lease
// plus the clock skew between hosts.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "repo/repository.h"

namespace arkiv::engine {

inline constexpr int64_t kDefaultPruneSafetyWindowNs = std::chrono::nanoseconds(std::chrono::hours(1)).count();

struct PruneOptions {
  double max_unused_percent = 5.0;
  bool dry_run = false;
  // Skip phase 1: only delete what earlier runs marked and is due.
  bool sweep_only = false;
  // 0: the packs marked by this run are swept by this run (nothing may run beside it).
  int64_t safety_window_ns = kDefaultPruneSafetyWindowNs;
  // Wall clock in Unix nanoseconds; tests pass a fake one.
  std::function<int64_t()> clock = nullptr;
};

struct PruneReport {
  // Phase 1 (what this run marked; with a dry run, what it would mark).
  uint64_t packs_before = 0;
  uint64_t packs_deleted = 0;  // no used blob
  uint64_t packs_repacked = 0;
  uint64_t packs_unindexed_deleted = 0;
  uint64_t packs_written = 0;
  uint64_t blobs_used = 0;
  uint64_t blobs_unused = 0;
  uint64_t blobs_repacked = 0;
  uint64_t bytes_before = 0;
  uint64_t bytes_after = 0;  // once every marker is swept
  uint64_t bytes_unused_after = 0;
  uint64_t markers_written = 0;
  // Phase 2.
  uint64_t markers_swept = 0;
  uint64_t markers_pending = 0;  // window not over yet
  uint64_t packs_swept = 0;      // deleted from the store
  uint64_t packs_kept = 0;       // marked, but used again by a snapshot written since
  // Due but held by the store's retention lock (S3 Object Lock): left in
  // place, their markers kept, for a prune after the retention date.
  uint64_t packs_retained = 0;
  std::string retained_example;  // the store's message for one of them
  // Where the store retains (S3 Object Lock, Azure immutability): objects
  // kept whose retention was refreshed (extended when less than half was
  // left), and the first failure to (a warning: nothing is lost).
  uint64_t retention_checked = 0;
  std::string retention_error;
  uint64_t index_files_removed = 0;
  uint64_t index_files_written = 0;
};

struct PruneProgress {
  std::atomic<uint64_t> packs_done{0};
  std::atomic<uint64_t> packs_total{0};
};

// kDataLoss (and nothing written or deleted) if a used blob is in no index: run check.
Result<PruneReport> RunPrune(repo::Repository& repo, const PruneOptions& options, PruneProgress& progress);

}  // namespace arkiv::engine
