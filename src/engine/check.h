// Verifies a repository: structure always, every byte with read_data.
//
// Structure: every index file readable; every indexed pack present with
// the indexed size; every snapshot readable; every tree and blob that a
// snapshot reaches is indexed and every tree decodes. Packs that no index
// lists (left by an interrupted backup) are reported as warnings. Packs that
// a prune marker names are on their way out (design.md §13): not reported,
// only counted; one already deleted is a warning, and an error only for the
// snapshots that still need its blobs.
// read_data: every pack is downloaded, its SHA-256 compared with its name,
// its header compared with the index, every blob authenticated,
// decompressed and its keyed hash recomputed.
// read_data with a subset: only the packs it selects are read (the rest
// is checked for presence and size as without read_data).
// Each problem names the pack and blob, and the snapshot paths it affects.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "engine/read_data_subset.h"
#include "repo/repository.h"

namespace arkiv::engine {

struct CheckOptions {
  bool read_data = false;
  ReadDataSubset subset{};  // with read_data: which packs are read
  uint64_t seed = 0;      // for a random subset; 0 draws one
};

struct CheckProblem {
  std::string kind;     // "missing pack", "damaged blob", ...
  bool warning = false;  // true: not a fault of the data (e.g. unindexed pack)
  std::string object;   // the store object ("data/ab/ab12…", "snapshots/…")
  std::string blob;     // blob id, where one is involved
  std::string message;
  std::vector<std::string> affected;  // "snapshot 1a2b3c4d: data/file.txt"
  uint64_t affected_total = 0;        // affected may be truncated
};

struct CheckProgress {
  std::atomic<uint64_t> packs_done{0};
  std::atomic<uint64_t> packs_total{0};
  std::atomic<uint64_t> bytes_read{0};
};

struct CheckReport {
  uint64_t snapshots = 0;
  uint64_t packs = 0;
  uint64_t blobs = 0;
  uint64_t trees_checked = 0;
  uint64_t blobs_read = 0;
  uint64_t packs_read = 0;  // of `packs`, with read_data
  std::vector<std::string> packs_selected;  // their names, with read_data
  uint64_t bytes_read = 0;
  uint64_t prune_markers = 0;
  uint64_t packs_marked = 0;  // named by a prune marker and still stored
  int64_t next_sweep_ns = 0;  // earliest time a marker's packs may go; 0: no marker
  std::vector<CheckProblem> problems;
  bool HasErrors() const;
};

Result<CheckReport> RunCheck(repo::Repository& repo, const CheckOptions& options, CheckProgress& progress);

}  // namespace arkiv::engine
