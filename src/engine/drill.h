// `arkiv drill`: a rehearsal of disaster (design.md §22). The repository is
// put on its clouds except the ones named, which are not contacted at all
// (their stores are stand-ins that fail every call without any I/O); a
// snapshot (or a sample of its files) is restored and every restored file
// verified against the snapshot; time, bytes and requests per cloud are
// measured. The drill fails when anything is missing or wrong.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "engine/clouds.h"
#include "engine/restore_size.h"
#include "repo/repository.h"
#include "storage/wrappers/store_metrics.h"

namespace arkiv::engine {

// Opens the clouds for a drill: the clouds in `without` get a stand-in that
// never does I/O; the others are opened by `open` and counted in `metrics`
// (by cloud name), which the caller keeps.
StoreOpener DrillStoreOpener(StoreOpener open, std::vector<std::string> without,
                             std::map<std::string, std::shared_ptr<storage::StoreMetrics>>& metrics);

struct DrillOptions {
  std::string snapshot = "latest";
  double sample_percent = 100;  // of the snapshot's files, chosen by `seed`
  uint64_t seed = 0;
  std::string target;  // where to restore; must exist and be empty
  size_t workers = 0;
};

struct DrillReport {
  Id snapshot;
  uint64_t files_in_snapshot = 0;
  uint64_t files_selected = 0;
  uint64_t files_restored = 0;
  uint64_t files_verified = 0;
  uint64_t bytes_restored = 0;
  double seconds = 0;
  // What the restore had to read: the distinct blobs of the selected files
  // and every tree, as stored (the work `plan` estimates a restore from).
  RestoreSize work;
  std::vector<std::string> problems;  // "path: why"; empty when the drill passed
  bool ok() const { return problems.empty() && files_verified == files_selected; }
};

// REQUIRES: the repository is on its clouds (opened with DrillStoreOpener)
// and its index is loaded.
Result<DrillReport> RunDrill(repo::Repository& repo, const DrillOptions& options);

}  // namespace arkiv::engine
