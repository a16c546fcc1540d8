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

constexpr size_t kPacksPerIndexFile = 20000;

using BlobSet = std::unordered_set<Id, IdHash>;

// Loads the index and returns every blob reachable from the snapshots there
// are now; kDataLoss if one of them is in no index (deleting anything then
// could destroy what it needs).
// Snapshots are listed before the index is: a backup writes its index files
// before its snapshot, so every snapshot seen has its blobs in the index
// loaded after it. (The other order read a snapshot that a concurrent backup
// wrote between the two listings and called its blobs lost.)
Result<BlobSet> LoadIndexAndUsedBlobs(repo::Repository& repo) {
  BlobSet used;
  ASSIGN_OR_RETURN(auto snapshots, repo.LoadSnapshots());
  RETURN_IF_ERROR(repo.LoadIndex());  // marked packs last: used blobs resolve to copies that stay
  for (const auto& record : snapshots) {
    if (!used.insert(record.snapshot.tree).second) continue;
    auto walked = WalkTree(
        repo, record.snapshot.tree, "",
        [&](const std::string&, const repo::Node& node) {
          for (const Id& id : node.content) used.insert(id);
          if (node.type != repo::NodeType::kDirectory) return false;
          return used.insert(node.subtree).second;  // a tree seen before was walked before
        },
        nullptr,
        // The pages of a large directory are used as much as its page list.
        [&](const std::string&, const std::vector<Id>& pages) { used.insert(pages.begin(), pages.end()); });
    // A tree in no index (or in a missing pack) is a used blob we cannot
    // find: the same data loss as a missing data blob, not a lookup miss.
    if (!walked && walked.error().code() == Code::kNotFound) {
      return Fail(Code::kDataLoss, fmt::format("snapshot {}: {}; nothing was deleted (run `arkiv check`)",
                                               record.id.Short(), walked.error().message()));
    }
    RETURN_IF_ERROR(walked);
  }
  for (const Id& id : used) {
    if (!repo.index().Has(id)) {
      return Fail(Code::kDataLoss, fmt::format("blob {} is used by a snapshot but in no index; nothing was deleted "
                                               "(run `arkiv check`)",
                                               id.Hex()));
    }
  }
  return used;
}

repo::BlobType TypeOf(const repo::IndexedPack& pack) {
  return pack.blobs.empty() ? repo::BlobType::kData : pack.blobs.front().type;
}

std::string NameOf(const repo::IndexedPack& pack) { return repo::PackName(TypeOf(pack), pack.id); }

struct PackPlan {
  repo::IndexedPack pack;
  uint64_t used_bytes = 0;
  uint64_t unused_bytes = 0;
  std::vector<repo::BlobEntry> used;  // blobs whose canonical copy is here
};

// Writes `packs` as the whole index, superseding `old_files` in the last file
// written, then removes the old files.
Status RewriteIndex(repo::Repository& repo, const std::vector<repo::IndexedPack>& packs,
                    const std::vector<Id>& old_files, PruneReport& report) {
  size_t files_needed = std::max<size_t>(1, (packs.size() + kPacksPerIndexFile - 1) / kPacksPerIndexFile);
  for (size_t f = 0; f < files_needed; ++f) {
    repo::IndexFile file;
    size_t begin = f * kPacksPerIndexFile, end = std::min(packs.size(), begin + kPacksPerIndexFile);
    file.packs.assign(packs.begin() + static_cast<ptrdiff_t>(begin), packs.begin() + static_cast<ptrdiff_t>(end));
    if (f + 1 == files_needed) file.supersedes = old_files;
    RETURN_IF_ERROR(repo.SaveFile(repo::FileKind::kIndex, file.Serialize()));
    report.index_files_written++;
  }
  for (const Id& id : old_files) {
    auto st = repo.RemoveFile(repo::FileKind::kIndex, id);
    // A retained index file stays; the new index supersedes it all the same.
    if (!st && st.error().code() == Code::kRetained) continue;
    if (!st && st.error().code() != Code::kNotFound) return Fail(st.error());
    report.index_files_removed++;
  }
  return OkStatus();
}

// Phase 1: chooses what to delete, copies the used blobs of repacked packs
// into new packs, and names the doomed packs in a marker. Deletes nothing.
Status Mark(repo::Repository& repo, const PruneOptions& options, int64_t now, PruneReport& report,
            PruneProgress& progress) {
  ASSIGN_OR_RETURN(BlobSet used, LoadIndexAndUsedBlobs(repo));
  const auto& marked = repo.marked_packs();

  std::vector<PackPlan> keep, remove, repack;
  std::unordered_set<Id, IdHash> indexed;
  repo.index().ForEachPack([&](const repo::IndexedPack& pack) {
    indexed.insert(pack.id);
    if (marked.contains(pack.id)) return;  // on its way out already
    PackPlan plan{pack, 0, 0, {}};
    for (const auto& blob : pack.blobs) {
      bool canonical_here = used.contains(blob.id) && repo.index().Find(blob.id)->pack == pack.id;
      if (canonical_here) {
        plan.used_bytes += blob.length;
        plan.used.push_back(blob);
        report.blobs_used++;
      } else {
        plan.unused_bytes += blob.length;
        report.blobs_unused++;
      }
    }
    report.packs_before++;
    report.bytes_before += pack.size;
    (plan.used.empty() ? remove : keep).push_back(std::move(plan));
  });

  // Repack the most wasteful partly-used packs until what stays unused fits the budget.
  uint64_t used_total = 0, unused_total = 0;
  for (const auto& p : keep) {
    used_total += p.used_bytes;
    unused_total += p.unused_bytes;
  }
  std::sort(keep.begin(), keep.end(), [](const PackPlan& a, const PackPlan& b) { return a.unused_bytes > b.unused_bytes; });
  auto budget = static_cast<uint64_t>(static_cast<double>(used_total) * options.max_unused_percent / 100.0);
  while (!keep.empty() && unused_total > budget && keep.front().unused_bytes > 0) {
    unused_total -= keep.front().unused_bytes;
    repack.push_back(std::move(keep.front()));
    keep.erase(keep.begin());
  }

  // Unindexed packs: left by a crashed backup, or just uploaded by a running
  // one (which indexes or abandons them within its lease).
  std::vector<std::string> unindexed;
  for (auto type : {repo::BlobType::kData, repo::BlobType::kTree}) {
    RETURN_IF_ERROR(repo.store().List(repo::PackPrefix(type), [&](const storage::ObjectInfo& info) {
      auto id = repo::IdFromName(info.name);
      if (id && !indexed.contains(*id) && !marked.contains(*id)) unindexed.push_back(info.name);
      return OkStatus();
    }));
  }
  report.packs_deleted = remove.size();
  report.packs_repacked = repack.size();
  report.packs_unindexed_deleted = unindexed.size();
  report.bytes_unused_after = unused_total;
  for (const auto& p : repack) report.blobs_repacked += p.used.size();
  report.bytes_after = report.bytes_before;
  for (const auto& p : remove) report.bytes_after -= p.pack.size;
  for (const auto& p : repack) report.bytes_after -= p.pack.size - p.used_bytes;
  progress.packs_total = repack.size();
  if (options.dry_run) return OkStatus();

  // New packs with the used blobs of repacked packs, indexed in a file of
  // their own: until the sweep, those blobs simply have two copies.
  if (!repack.empty()) {
    repo::BlobSaver saver(repo, repo::BlobSaverOptions{.upload_threads = 2, .ignore_existing = true, .write_index = true});
    for (const auto& p : repack) {
      for (const auto& blob : p.used) {
        ASSIGN_OR_RETURN(Bytes data, repo.LoadBlob(blob.id, repo::BlobCheck::kFull));
        RETURN_IF_ERROR(saver.Save(blob.type, blob.id, data));
      }
      progress.packs_done++;
    }
    RETURN_IF_ERROR(saver.Flush());
    report.packs_written = saver.stats().packs_uploaded;
  }

  repo::PruneMarker marker{now, options.safety_window_ns, repo::HostName(), unindexed};
  for (const auto& p : remove) marker.packs.push_back(NameOf(p.pack));
  for (const auto& p : repack) marker.packs.push_back(NameOf(p.pack));
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
  ASSIGN_OR_RETURN(BlobSet used, LoadIndexAndUsedBlobs(repo));
  std::unordered_map<Id, std::string, IdHash> doomed;
  for (const auto& m : due) {
    for (const auto& name : m.marker.packs) doomed.emplace(*repo::IdFromName(name), name);
  }
  // How many copies of each used blob stay whatever happens.
  std::unordered_map<Id, uint32_t, IdHash> copies_kept;
  repo.index().ForEachPack([&](const repo::IndexedPack& pack) {
    if (doomed.contains(pack.id)) return;
    for (const auto& blob : pack.blobs) {
      if (used.contains(blob.id)) copies_kept[blob.id]++;
    }
  });
  std::vector<repo::IndexedPack> staying;
  bool index_shrinks = false;
  repo.index().ForEachPack([&](const repo::IndexedPack& pack) {
    auto it = doomed.find(pack.id);
    if (it == doomed.end()) {
      staying.push_back(pack);
      return;
    }
    bool needed = std::any_of(pack.blobs.begin(), pack.blobs.end(), [&](const repo::BlobEntry& blob) {
      return used.contains(blob.id) && copies_kept[blob.id] == 0;
    });
    if (!needed) {
      index_shrinks = true;
      return;
    }
    doomed.erase(it);
    report.packs_kept++;
    for (const auto& blob : pack.blobs) {
      if (used.contains(blob.id)) copies_kept[blob.id]++;
    }
    staying.push_back(pack);
  });

  // Crash-safe order: until the superseding index file exists the old index
  // is in force and every doomed pack still stored; after it, no index in
  // force lists a doomed pack, and the markers still name them.
  if (index_shrinks) {
    std::vector<Id> old_files = repo.index().LoadedFiles();
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
  repo.index().ForEachPack([&](const repo::IndexedPack& pack) {
    if (!repo.marked_packs().contains(pack.id)) names.push_back(NameOf(pack));
  });
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
