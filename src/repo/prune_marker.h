// Prune markers (`prune/<sha256>`, sealed JSON {time, host, window_s, packs}).
//
// Phase 1 of prune writes one naming the packs it found unused; phase 2
// deletes those still unused once `time + window` has passed. Backups load the
// markers first and never newly reference a marked pack (design.md §13).
#pragma once

#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "repo/repository.h"

namespace arkiv::repo {

struct PruneMarker {
  int64_t time_ns = 0;     // the writer's clock when it was written
  int64_t window_ns = 0;   // its packs may be deleted from time_ns + window_ns on
  std::string host;
  std::vector<std::string> packs;  // object names: data/xx/<id>, tree/xx/<id>

  Bytes Serialize() const;
  static Result<PruneMarker> Parse(ByteView bytes);
  int64_t DueNs() const { return time_ns + window_ns; }
};

struct StoredPruneMarker {
  Id id;
  PruneMarker marker;
};

// Every marker in the repository; one removed meanwhile (swept) is skipped.
Result<std::vector<StoredPruneMarker>> LoadPruneMarkers(Repository& repo);

// The pack ids the markers name.
std::unordered_set<Id, IdHash> MarkedPackIds(const std::vector<StoredPruneMarker>& markers);

}  // namespace arkiv::repo
