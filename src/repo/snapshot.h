// Snapshots (`snapshots/<sha256>`, sealed JSON): one backup's root tree and
// what describes it. Written last, after its packs and index, so a visible
// snapshot is always complete.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/id.h"
#include "core/status.h"

namespace arkiv::repo {

struct SnapshotSummary {
  uint64_t files_new = 0;
  uint64_t files_changed = 0;
  uint64_t files_unchanged = 0;
  uint64_t dirs = 0;
  uint64_t files_failed = 0;
  uint64_t bytes_processed = 0;   // file bytes read
  uint64_t bytes_total = 0;       // file bytes in the snapshot
  uint64_t blobs_added = 0;
  uint64_t bytes_added = 0;       // plaintext of new blobs
  uint64_t bytes_stored = 0;      // sealed, compressed bytes of new blobs
  double duration_seconds = 0;
};

struct Snapshot {
  int64_t time_ns = 0;
  std::string host;
  std::string user;
  std::vector<std::string> paths;
  std::vector<std::string> tags;
  std::optional<Id> parent;
  Id tree;
  SnapshotSummary summary;
  std::string program_version;

  Bytes Serialize() const;
  static Result<Snapshot> Parse(ByteView bytes);
  bool HasTag(std::string_view tag) const;
};

}  // namespace arkiv::repo
