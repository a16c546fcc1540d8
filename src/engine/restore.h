// Restores a snapshot (or parts of it) into a target directory.
//
// Walks the trees a page at a time (repo/tree_reader.h) and restores the
// files met in batches (RestoreOptions::batch_files). Per batch it reads
// packs, not blobs (restore_plan.h): each run of nearby blobs of a pack
// is read with one request, by workers in parallel, and every blob goes to
// all the places that need it; every blob is authenticated (AES-GCM with the
// blob id as associated data) before a byte of it is written. A file that
// cannot be restored whole is removed and named in the errors. Names were
// checked by Tree::Parse, and every file is created with O_NOFOLLOW|O_EXCL
// below directories this restore created or checked, so nothing is written
// outside the target. All-zero blocks become holes (sparse files); hardlinks
// are linked again; metadata (mode, owner when root, mtime) is applied last,
// directories after their contents.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "repo/repository.h"

namespace arkiv::engine {

struct RestoreOptions {
  std::string target;
  // Paths inside the snapshot ("data/sub/file"); empty restores everything.
  std::vector<std::string> includes;
  bool verify = false;  // re-read restored files and check them against the blob ids
  size_t workers = 0;   // pack runs in flight; 0: 2 per core, 4 to 16
  // Files are planned and restored in batches, so memory does not grow with
  // the snapshot: a batch ends at this many files or blob references. An
  // ordinary tree is one batch (one plan, the fewest reads).
  size_t batch_files = 16384;
  size_t batch_blobs = 262144;
};

struct RestoreProgress {
  std::atomic<uint64_t> files_done{0};
  std::atomic<uint64_t> bytes_done{0};
  std::atomic<uint64_t> total_files{0};
  std::atomic<uint64_t> total_bytes{0};
};

struct RestoreResult {
  uint64_t files = 0;
  uint64_t dirs = 0;
  uint64_t bytes = 0;
  uint64_t verified_files = 0;
  std::vector<std::pair<std::string, Error>> errors;  // per path in the snapshot; restore goes on
};

Result<RestoreResult> RunRestore(repo::Repository& repo, const Id& tree, const RestoreOptions& options,
                                 RestoreProgress& progress);

}  // namespace arkiv::engine
