#include "engine/prune.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "engine/tree_walker.h"
#include "repo/blob_saver.h"
#include "repo/prune_marker.h"
#include "repo/system_info.h"

namespace arkiv::engine {
namespace {

// One bit per index position (repo/index.h): the used blobs of a repository
// of 10 million cost 1.25 MB, not the ~0.5 GB of a set of ids.
class PositionBits {
 public:
  explicit PositionBits(size_t n) : words_((n + 63) / 64, 0) {}
  bool Test(uint32_t p) const { return ((words_[p / 64] >> (p % 64)) & 1u) != 0; }
  // Returns whether the bit was set already.
  bool Set(uint32_t p) {
    uint64_t bit = uint64_t{1} << (p % 64);
    bool was = (words_[p / 64] & bit) != 0;
    words_[p / 64] |= bit;
    return was;
  }

 private:
  std::vector<uint64_t> words_;
};

// Loads the index and returns the positions of the blobs reachable from the
// snapshots there are now (the copy each blob's lookups use); kDataLoss if
// one of them is in no index (deleting anything then could destroy what it
// needs).
// Snapshots are listed before the index is: a backup writes its index files
// before its snapshot, so every snapshot seen has its blobs in the index
// loaded after it. (The other order read a snapshot that a concurrent backup
// wrote between the two listings and called its blobs lost.)
Result<PositionBits> LoadIndexAndUsedBlobs(repo::Repository& repo) {
  ASSIGN_OR_RETURN(auto snapshots, repo.LoadSnapshots());
  RETURN_IF_ERROR(repo.LoadIndex());  // marked packs last: used blobs resolve to copies that stay
  const repo::Index& index = repo.index();
  PositionBits used(index.RecordCount());
  std::optional<Id> lost;
  for (const auto& record : snapshots) {
    auto root = index.Position(record.snapshot.tree);
    if (root && used.Set(*root)) continue;  // walked before
    auto mark = [&](const Id& id) {
      auto position = index.Position(id);
      if (position) {
        used.Set(*position);
      } else if (!lost) {
        lost = id;
      }
    };
    auto walked = WalkTree(
        repo, record.snapshot.tree, "",
        [&](const std::string&, const repo::Node& node) {
          for (const Id& id : node.content) mark(id);
          if (node.type != repo::NodeType::kDirectory) return false;
          auto subtree = index.Position(node.subtree);
          return !subtree || !used.Set(*subtree);  // a tree seen before was walked before; one not indexed fails below
        },
        nullptr,
        // The pages of a large directory are used as much as its page list.
        [&](const std::string&, const std::vector<Id>& pages) {
          for (const Id& page : pages) mark(page);
        });
    // A tree in no index (or in a missing pack) is a used blob we cannot
    // find: the same data loss as a missing data blob, not a lookup miss.
    if (!walked && walked.error().code() == Code::kNotFound) {
      return Fail(Code::kDataLoss, fmt::format("snapshot {}: {}; nothing was deleted (run `arkiv check`)",
                                               record.id.Short(), walked.error().message()));
    }
    RETURN_IF_ERROR(walked);
  }
  if (lost) {
    return Fail(Code::kDataLoss, fmt::format("blob {} is used by a snapshot but in no index; nothing was deleted "
                                             "(run `arkiv check`)",
                                             lost->Hex()));
  }
  return used;
}

std::string NameOf(const repo::PackInfo& pack) { return repo::PackName(pack.type, pack.id); }

struct PackPlan {
  uint32_t slot = 0;
  uint64_t used_bytes = 0;
  uint64_t unused_bytes = 0;
  uint64_t used_blobs = 0;  // whose canonical copy is here
};

// Writes the packs of `slots` as the whole index, in files of at most
// kMaxBlobsPerIndexFile blobs (one pack per file at least), superseding
// `old_files` in the last file written; then removes the old files.
Status RewriteIndex(repo::Repository& repo, const std::vector<uint32_t>& slots, const std::vector<Id>& old_files,
                    PruneReport& report) {
  repo::IndexFile file;
  size_t blobs = 0;
  auto write = [&]() -> Status {
    RETURN_IF_ERROR(repo.SaveFile(repo::FileKind::kIndex, file.Serialize()));
    report.index_files_written++;
    file.packs.clear();
    blobs = 0;
    return OkStatus();
  };
  for (uint32_t slot : slots) {
    repo::IndexedPack pack = repo.index().PackWithBlobs(slot);
    if (!file.packs.empty() && blobs + pack.blobs.size() > repo::kMaxBlobsPerIndexFile) RETURN_IF_ERROR(write());
    blobs += pack.blobs.size();
    file.packs.push_back(std::move(pack));
  }
  file.supersedes = old_files;
  RETURN_IF_ERROR(write());
  for (const Id& id : old_files) {
    auto st = repo.RemoveFile(repo::FileKind::kIndex, id);
    // A retained index file stays; the new index supersedes it all the same.
    if (!st && st.error().code() == Code::kRetained) continue;
    if (!st && st.error().code() != Code::kNotFound) return Fail(st.error());
    report.index_files_removed++;
  }
  return OkStatus();
}

// Copies the used blobs of a repacked pack into the saver's new packs, read
// in one ranged GET (the span of the pack they cover).
Status Repack(repo::Repository& repo, const PackPlan& plan, const PositionBits& used, repo::BlobSaver& saver) {
  repo::IndexedPack pack = repo.index().PackWithBlobs(plan.slot);
  uint32_t first = repo.index().Pack(plan.slot).first;
  std::vector<repo::BlobEntry> blobs;
  for (size_t i = 0; i < pack.blobs.size(); ++i) {
    if (used.Test(first + static_cast<uint32_t>(i))) blobs.push_back(pack.blobs[i]);
  }
  // Each blob goes to the saver as it is opened: one opened blob is held at
  // a time, not the whole pack's.
  Status saved = OkStatus();
  RETURN_IF_ERROR(repo.ReadBlobRun(pack.id, blobs, repo::BlobCheck::kFull, [&](size_t i, Result<Bytes> blob) {
    if (!saved) return;
    if (!blob) {
      saved = Fail(blob.error());
    } else if (auto stored = saver.Save(blobs[i].type, blobs[i].id, *blob); !stored) {
      saved = Fail(stored.error());
    }
  }));
  return saved;
}

// Phase 1: chooses what to delete, copies the used blobs of repacked packs
// into new packs, and names the doomed packs in a marker. Deletes nothing.
Status Mark(repo::Repository& repo, const PruneOptions& options, int64_t now, PruneReport& report,
            PruneProgress& progress) {
  ASSIGN_OR_RETURN(PositionBits used, LoadIndexAndUsedBlobs(repo));
  const auto& marked = repo.marked_packs();
  const repo::Index& index = repo.index();

  std::vector<PackPlan> keep, remove, repack;
  const auto pack_count = static_cast<uint32_t>(index.PackCount());
  for (uint32_t slot = 0; slot < pack_count; ++slot) {
    repo::IndexedPack pack = index.PackWithBlobs(slot);
    if (marked.contains(pack.id)) continue;  // on its way out already
    uint32_t first = index.Pack(slot).first;
    PackPlan plan{slot, 0, 0, 0};
    for (size_t i = 0; i < pack.blobs.size(); ++i) {
      // Used bits sit on canonical copies only: a duplicate here is unused.
      if (used.Test(first + static_cast<uint32_t>(i))) {
        plan.used_bytes += pack.blobs[i].length;
        plan.used_blobs++;
      } else {
        plan.unused_bytes += pack.blobs[i].length;
      }
    }
    report.blobs_used += plan.used_blobs;
    report.blobs_unused += pack.blobs.size() - plan.used_blobs;
    report.packs_before++;
    report.bytes_before += pack.size;
    (plan.used_blobs == 0 ? remove : keep).push_back(plan);
  }

  // Repack the most wasteful partly-used packs until what stays unused fits the budget.
  uint64_t used_total = 0, unused_total = 0;
  for (const auto& p : keep) {
    used_total += p.used_bytes;
    unused_total += p.unused_bytes;
  }
  std::sort(keep.begin(), keep.end(), [](const PackPlan& a, const PackPlan& b) { return a.unused_bytes > b.unused_bytes; });
  auto budget = static_cast<uint64_t>(static_cast<double>(used_total) * options.max_unused_percent / 100.0);
  size_t chosen = 0;
  while (chosen < keep.size() && unused_total > budget && keep[chosen].unused_bytes > 0) {
    unused_total -= keep[chosen].unused_bytes;
    chosen++;
  }
  repack.assign(keep.begin(), keep.begin() + static_cast<ptrdiff_t>(chosen));

  // Unindexed packs: left by a crashed backup, or just uploaded by a running
  // one (which indexes or abandons them within its lease).
  std::vector<std::string> unindexed;
  for (auto type : {repo::BlobType::kData, repo::BlobType::kTree}) {
    RETURN_IF_ERROR(repo.store().List(repo::PackPrefix(type), [&](const storage::ObjectInfo& info) {
      auto id = repo::IdFromName(info.name);
      if (id && !index.PackSize(*id) && !marked.contains(*id)) unindexed.push_back(info.name);
      return OkStatus();
    }));
  }
  report.packs_deleted = remove.size();
  report.packs_repacked = repack.size();
  report.packs_unindexed_deleted = unindexed.size();
  report.bytes_unused_after = unused_total;
  for (const auto& p : repack) report.blobs_repacked += p.used_blobs;
  report.bytes_after = report.bytes_before;
  for (const auto& p : remove) report.bytes_after -= index.Pack(p.slot).size;
  for (const auto& p : repack) report.bytes_after -= index.Pack(p.slot).size - p.used_bytes;
  progress.packs_total = repack.size();
  if (options.dry_run) return OkStatus();

  // New packs with the used blobs of repacked packs, indexed in files of
  // their own: until the sweep, those blobs simply have two copies.
  if (!repack.empty()) {
    repo::BlobSaver saver(repo, repo::BlobSaverOptions{.upload_threads = 2, .ignore_existing = true, .write_index = true});
    for (const auto& p : repack) {
      RETURN_IF_ERROR(Repack(repo, p, used, saver));
      progress.packs_done++;
    }
    RETURN_IF_ERROR(saver.Flush());
    report.packs_written = saver.stats().packs_uploaded;
  }

  repo::PruneMarker marker{now, options.safety_window_ns, repo::HostName(), unindexed};
  for (const auto& p : remove) marker.packs.push_back(NameOf(index.Pack(p.slot)));
  for (const auto& p : repack) marker.packs.push_back(NameOf(index.Pack(p.slot)));
  if (marker.packs.empty()) return OkStatus();
  RETURN_IF_ERROR(repo.SaveFile(repo::FileKind::kPruneMarker, marker.Serialize()));
  report.markers_written++;
  return OkStatus();
}

// Phase 2: deletes the packs of markers whose window is over and that are
// still unused by every snapshot there is now.
Status Sweep(repo::Repository& repo, int64_t now, PruneReport& report, PruneProgress& progress) {
  ASSIGN_OR_RETURN(auto markers, repo::LoadPruneMarkers(repo));
  std::vector<repo::StoredPruneMarker> due;
  for (auto& m : markers) {
    if (now >= m.marker.DueNs()) {
      due.push_back(std::move(m));
    } else {
      report.markers_pending++;
    }
  }
  if (due.empty()) return OkStatus();

  // Index and snapshots as they are now, after the window: a snapshot written
  // by a backup that began before a marker is seen here.
  ASSIGN_OR_RETURN(PositionBits used, LoadIndexAndUsedBlobs(repo));
  const repo::Index& index = repo.index();
  std::unordered_map<Id, std::string, IdHash> doomed;
  for (const auto& m : due) {
    for (const auto& name : m.marker.packs) doomed.emplace(*repo::IdFromName(name), name);
  }
  // Used blobs (by canonical position) with a copy that stays whatever happens.
  PositionBits kept(index.RecordCount());
  auto keep_used_blobs = [&](const repo::PackInfo& pack) {
    for (uint32_t p = pack.first; p < pack.first + pack.count; ++p) {
      uint32_t canonical = index.Canonical(p);
      if (used.Test(canonical)) kept.Set(canonical);
    }
  };
  const auto pack_count = static_cast<uint32_t>(index.PackCount());
  for (uint32_t slot = 0; slot < pack_count; ++slot) {
    repo::PackInfo pack = index.Pack(slot);
    if (!doomed.contains(pack.id)) keep_used_blobs(pack);
  }
  std::vector<uint32_t> staying;
  bool index_shrinks = false;
  for (uint32_t slot = 0; slot < pack_count; ++slot) {
    repo::PackInfo pack = index.Pack(slot);
    auto it = doomed.find(pack.id);
    if (it == doomed.end()) {
      staying.push_back(slot);
      continue;
    }
    bool needed = false;
    for (uint32_t p = pack.first; p < pack.first + pack.count && !needed; ++p) {
      uint32_t canonical = index.Canonical(p);
      needed = used.Test(canonical) && !kept.Test(canonical);
    }
    if (!needed) {
      index_shrinks = true;
      continue;
    }
    doomed.erase(it);
    report.packs_kept++;
    keep_used_blobs(pack);
    staying.push_back(slot);
  }

  // Crash-safe order: until the superseding index file exists the old index
  // is in force and every doomed pack still stored; after it, no index in
  // force lists a doomed pack, and the markers still name them.
  if (index_shrinks) {
    std::vector<Id> old_files = index.LoadedFiles();
    const auto& stale = repo.superseded_index_files();
    old_files.insert(old_files.end(), stale.begin(), stale.end());
    RETURN_IF_ERROR(RewriteIndex(repo, staying, old_files, report));
  }
  progress.packs_total += doomed.size();
  std::unordered_set<std::string> retained;
  for (const auto& [id, name] : doomed) {
    auto st = repo.store().Remove(name);
    progress.packs_done++;
    if (!st && st.error().code() == Code::kRetained) {
      retained.insert(name);
      report.packs_retained++;
      if (report.retained_example.empty()) report.retained_example = st.error().message();
      continue;
    }
    if (!st && st.error().code() != Code::kNotFound) return Fail(st.error());
    report.packs_swept++;
  }
  for (const auto& m : due) {
    // Its retained packs are out of the index now; the marker keeps them
    // named until a sweep after their retention date deletes them.
    if (std::any_of(m.marker.packs.begin(), m.marker.packs.end(),
                    [&](const std::string& pack) { return retained.contains(pack); })) {
      report.markers_pending++;
      continue;
    }
    auto st = repo.RemoveFile(repo::FileKind::kPruneMarker, m.id);
    if (!st && st.error().code() != Code::kNotFound) return Fail(st.error());
    report.markers_swept++;
  }
  return OkStatus();
}

// Refreshes the retention of everything kept (see prune.h).
Status RefreshRetention(repo::Repository& repo, PruneReport& report) {
  if (!repo.store().Capabilities().retains) return OkStatus();
  RETURN_IF_ERROR(repo.LoadIndex());  // as the sweep left it, with the markers still pending
  std::vector<std::string> names{std::string(repo::kConfigName)};
  for (auto kind : {repo::FileKind::kKey, repo::FileKind::kClouds, repo::FileKind::kSnapshot, repo::FileKind::kIndex}) {
    ASSIGN_OR_RETURN(auto ids, repo.ListFiles(kind));
    for (const Id& id : ids) names.push_back(repo::FileName(kind, id));
  }
  for (uint32_t slot = 0; slot < repo.index().PackCount(); ++slot) {
    repo::PackInfo pack = repo.index().Pack(slot);
    if (!repo.marked_packs().contains(pack.id)) names.push_back(NameOf(pack));
  }
  for (const auto& name : names) {
    auto st = repo.store().RefreshRetention(name);
    if (!st && st.error().code() != Code::kNotFound && report.retention_error.empty()) {
      report.retention_error = st.error().message();
    }
    if (st) report.retention_checked++;
  }
  return OkStatus();
}

}  // namespace

Result<PruneReport> RunPrune(repo::Repository& repo, const PruneOptions& options, PruneProgress& progress) {
  auto clock = options.clock ? options.clock : [] { return repo::NowUnixNanos(); };
  PruneReport report;
  if (!options.sweep_only) RETURN_IF_ERROR(Mark(repo, options, clock(), report, progress));
  if (options.dry_run) return report;
  RETURN_IF_ERROR(Sweep(repo, clock(), report, progress));
  RETURN_IF_ERROR(RefreshRetention(repo, report));
  return report;
}

}  // namespace arkiv::engine
