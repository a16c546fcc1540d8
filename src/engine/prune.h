// Removes data no snapshot needs. The caller holds the exclusive lock.
//
// 1. Mark: every blob reachable from a snapshot is used.
// 2. Plan: packs with no used blob are deleted; packs partly used are
//    repacked, most wasteful first, until the unused bytes left are at most
//    max_unused_percent of the used bytes. Packs no index lists (left by an
//    interrupted backup) are deleted.
// 3. Sweep, in crash-safe order: write new packs with the used blobs of
//    repacked packs; write the new index (the last index file written lists
//    every old index file as superseded); delete the old index files; delete
//    the packs. A crash at any step leaves a readable repository: until the
//    superseding file exists the old index is in force, and a deleted pack
//    is by then in no index in force.
#pragma once

#include <atomic>

#include "repo/repository.h"

namespace arkiv::engine {

struct PruneOptions {
  double max_unused_percent = 5.0;
  bool dry_run = false;
};

struct PruneReport {
  uint64_t packs_before = 0;
  uint64_t packs_deleted = 0;  // no used blob
  uint64_t packs_repacked = 0;
  uint64_t packs_unindexed_deleted = 0;
  uint64_t packs_written = 0;
  uint64_t blobs_used = 0;
  uint64_t blobs_unused = 0;
  uint64_t blobs_repacked = 0;
  uint64_t bytes_before = 0;
  uint64_t bytes_after = 0;
  uint64_t bytes_unused_after = 0;
  uint64_t index_files_removed = 0;
  uint64_t index_files_written = 0;
};

struct PruneProgress {
  std::atomic<uint64_t> packs_done{0};
  std::atomic<uint64_t> packs_total{0};
};

// kDataLoss (and nothing deleted) if a used blob is in no index: run check.
Result<PruneReport> RunPrune(repo::Repository& repo, const PruneOptions& options, PruneProgress& progress);

}  // namespace arkiv::engine
