#include "engine/prune.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <unordered_set>

#include "engine/tree_walker.h"
#include "repo/blob_saver.h"

namespace arkiv::engine {
namespace {

constexpr size_t kPacksPerIndexFile = 20000;

using BlobSet = std::unordered_set<Id, IdHash>;

Result<BlobSet> MarkUsedBlobs(repo::Repository& repo) {
  BlobSet used;
  ASSIGN_OR_RETURN(auto snapshots, repo.LoadSnapshots());
  for (const auto& record : snapshots) {
    if (!used.insert(record.snapshot.tree).second) continue;
    auto walked = WalkTree(repo, record.snapshot.tree, "", [&](const std::string&, const repo::Node& node) {
      for (const Id& id : node.content) used.insert(id);
      if (node.type != repo::NodeType::kDirectory) return false;
      return used.insert(node.subtree).second;  // a tree seen before was walked before
    });
    // A tree in no index (or in a missing pack) is a used blob we cannot
    // find: the same data loss as a missing data blob, not a lookup miss.
    if (!walked && walked.error().code() == Code::kNotFound) {
      return Fail(Code::kDataLoss, fmt::format("snapshot {}: {}; nothing was deleted (run `arkiv check`)",
                                               record.id.Short(), walked.error().message()));
    }
    RETURN_IF_ERROR(walked);
  }
  return used;
}

struct PackPlan {
  repo::IndexedPack pack;
  repo::BlobType type = repo::BlobType::kData;
  uint64_t used_bytes = 0;
  uint64_t unused_bytes = 0;
  std::vector<repo::BlobEntry> used;  // blobs whose canonical copy is here
};

std::string NameOf(const PackPlan& p) { return repo::PackName(p.type, p.pack.id); }

}  // namespace

Result<PruneReport> RunPrune(repo::Repository& repo, const PruneOptions& options, PruneProgress& progress) {
  PruneReport report;
  RETURN_IF_ERROR(repo.LoadIndex());
  ASSIGN_OR_RETURN(BlobSet used, MarkUsedBlobs(repo));
  for (const Id& id : used) {
    if (!repo.index().Has(id)) {
      return Fail(Code::kDataLoss, fmt::format("blob {} is used by a snapshot but in no index; nothing was deleted "
                                               "(run `arkiv check`)",
                                               id.Hex()));
    }
  }

  std::vector<PackPlan> keep, remove, repack;
  std::unordered_set<std::string> indexed_names;
  repo.index().ForEachPack([&](const repo::IndexedPack& pack) {
    PackPlan plan{pack, pack.blobs.empty() ? repo::BlobType::kData : pack.blobs.front().type, 0, 0, {}};
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
    indexed_names.insert(NameOf(plan));
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

  std::vector<std::string> unindexed;
  for (auto type : {repo::BlobType::kData, repo::BlobType::kTree}) {
    RETURN_IF_ERROR(repo.store().List(repo::PackPrefix(type), [&](const storage::ObjectInfo& info) {
      if (!indexed_names.contains(info.name)) unindexed.push_back(info.name);
      return OkStatus();
    }));
  }
  report.packs_deleted = remove.size();
  report.packs_repacked = repack.size();
  report.packs_unindexed_deleted = unindexed.size();
  report.bytes_unused_after = unused_total;
  for (const auto& p : repack) report.blobs_repacked += p.used.size();
  progress.packs_total = remove.size() + repack.size() + unindexed.size();
  if (options.dry_run) {
    report.bytes_after = report.bytes_before;
    for (const auto& p : remove) report.bytes_after -= p.pack.size;
    for (const auto& p : repack) report.bytes_after -= p.pack.size - p.used_bytes;
    return report;
  }

  // Sweep step 1: new packs holding the used blobs of repacked packs.
  std::vector<repo::IndexedPack> new_packs;
  if (!repack.empty()) {
    repo::BlobSaver saver(repo, repo::BlobSaverOptions{.upload_threads = 2, .ignore_existing = true, .write_index = false});
    for (const auto& p : repack) {
      for (const auto& blob : p.used) {
        ASSIGN_OR_RETURN(Bytes data, repo.LoadBlob(blob.id, repo::BlobCheck::kFull));
        RETURN_IF_ERROR(saver.Save(blob.type, blob.id, data));
      }
      progress.packs_done++;
    }
    RETURN_IF_ERROR(saver.Flush());
    new_packs = saver.TakeUploadedPacks();
    report.packs_written = new_packs.size();
  }

  // Step 2: the new index, superseding every old index file in its last file.
  std::vector<repo::IndexedPack> all;
  for (const auto& p : keep) all.push_back(p.pack);
  for (auto& p : new_packs) all.push_back(std::move(p));
  std::vector<Id> old_files = repo.index().LoadedFiles();
  size_t files_needed = std::max<size_t>(1, (all.size() + kPacksPerIndexFile - 1) / kPacksPerIndexFile);
  for (size_t f = 0; f < files_needed; ++f) {
    repo::IndexFile file;
    size_t begin = f * kPacksPerIndexFile, end = std::min(all.size(), begin + kPacksPerIndexFile);
    file.packs.assign(all.begin() + static_cast<ptrdiff_t>(begin), all.begin() + static_cast<ptrdiff_t>(end));
    if (f + 1 == files_needed) file.supersedes = old_files;
    RETURN_IF_ERROR(repo.SaveFile(repo::FileKind::kIndex, file.Serialize()));
    report.index_files_written++;
  }
  // Step 3: the old index files, then the packs nothing in force lists.
  for (const Id& id : old_files) {
    auto st = repo.RemoveFile(repo::FileKind::kIndex, id);
    if (!st && st.error().code() != Code::kNotFound) return Fail(st.error());
    report.index_files_removed++;
  }
  std::vector<std::string> doomed = unindexed;
  for (const auto& p : remove) doomed.push_back(NameOf(p));
  for (const auto& p : repack) doomed.push_back(NameOf(p));
  for (const auto& name : doomed) {
    auto st = repo.store().Remove(name);
    if (!st && st.error().code() != Code::kNotFound) return Fail(st.error());
    progress.packs_done++;
  }
  report.bytes_after = 0;
  for (const auto& p : all) report.bytes_after += p.size;
  return report;
}

}  // namespace arkiv::engine
