// The backup pipeline: walk → read → chunk → hash → dedup → seal → pack → upload.
//
// Threads: the caller's thread walks directories in name order and writes
// their trees as it goes, a page at a time (repo/tree_writer.h), comparing
// each entry with the parent snapshot's streamed beside it;
// `workers` threads read, chunk and hash files; as many seal new chunks
// (zstd + AES-GCM); upload threads store full packs. Bounded queues between
// the stages keep memory flat whatever the data.
//
// Beside prune (design.md §13): the prune markers are read before the index,
// and packs they name are left out of it, so the backup never newly
// references a pack on its way out (a blob whose only copy is there is
// stored again). A marker written after that can have its packs deleted from
// its time + the prune safety window on, so a backup that is older than
// `prune_lease_ns` when about to write its snapshot reads the markers again
// and copies the blobs it uses out of packs a new one names
// (engine/prune_lease.h); it fails (kAborted, nothing written but
// unreferenced packs) only if such a pack is deleted already.
//
// A file is not read again when the parent snapshot (same host and paths,
// or --parent) records it with the same type, size, inode, mtime and ctime
// and all of its blobs are in the index.
//
// Unreadable files are reported through the observer and left out; the
// snapshot is still written (the caller exits 3). The snapshot is written
// only after every pack and index it needs: a crash leaves no partial
// snapshot, and the next run reuses the packs already indexed.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/exclude.h"
#include "repo/repository.h"

namespace arkiv::engine {

// The prune safety window (1 h by default) less a margin for clock skew
// between hosts and for writing the snapshot.
inline constexpr int64_t kBackupPruneLeaseNs = std::chrono::nanoseconds(std::chrono::minutes(45)).count();

struct BackupOptions {
  std::vector<std::string> paths;
  std::vector<std::string> tags;
  std::string host;  // empty: this host's name
  ExcludeRules excludes;
  bool one_file_system = false;
  std::optional<Id> parent;  // default: the latest snapshot of the same host and paths
  bool force_reread = false;
  size_t workers = 0;         // 0: one per core
  size_t upload_threads = 2;  // packs uploaded at once
  bool scan_totals = false;   // walk the sources ahead, for a progress ETA
  int64_t prune_lease_ns = kBackupPruneLeaseNs;
  // When a directory is stored as pages (repo/tree.h); tests make pages tiny.
  repo::TreeLimits tree_limits;
  // Wall clock in Unix nanoseconds; tests pass a fake one.
  std::function<int64_t()> clock = nullptr;
  // Tests: called after the last pack and index are stored, before the lease
  // check and the snapshot (to run prune steps "meanwhile").
  std::function<void()> before_snapshot = nullptr;
};

// Live counters, read by the progress display while the backup runs.
struct BackupProgress {
  std::atomic<uint64_t> files_done{0};
  std::atomic<uint64_t> dirs_done{0};
  std::atomic<uint64_t> bytes_done{0};  // file bytes processed (read or reused)
  std::atomic<uint64_t> errors{0};
  std::atomic<uint64_t> total_files{0};  // from the scanner, when enabled
  std::atomic<uint64_t> total_bytes{0};
  std::atomic<bool> scan_finished{false};

  void SetCurrent(const std::string& path);
  std::string Current() const;

 private:
  mutable std::mutex mutex_;
  std::string current_;
};

class BackupObserver {
 public:
  virtual ~BackupObserver() = default;
  // A file or directory that could not be read and is left out.
  virtual void OnWarning(const std::string& path, const Error& error) = 0;
  // A file that changed while it was read (`what`: how): stored as read,
  // with the size read, and read again by the next backup.
  virtual void OnChangedWhileRead(const std::string& /*path*/, const std::string& /*what*/) {}
};

struct BackupResult {
  Id snapshot_id;
  repo::Snapshot snapshot;
  std::vector<std::pair<std::string, Error>> warnings;                  // left out
  std::vector<std::pair<std::string, std::string>> changed_while_read;  // stored as read
  uint64_t blobs_recopied = 0;  // copied out of packs prune marked while the backup ran
};

Result<BackupResult> RunBackup(repo::Repository& repo, const BackupOptions& options, BackupProgress& progress,
                               BackupObserver* observer);

}  // namespace arkiv::engine
