#include "engine/prune_lease.h"

#include <fmt/format.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "core/log.h"
#include "engine/tree_walker.h"
#include "repo/blob_saver.h"
#include "repo/layout.h"
#include "repo/prune_marker.h"

namespace arkiv::engine {

Result<LeaseRenewal> RenewPruneLease(repo::Repository& repo, const Id& root,
                                     std::unordered_set<Id, IdHash>& seen_markers, size_t upload_threads) {
  LeaseRenewal renewal;
  // Markers first, then the packs: a marker swept before this listing had
  // its packs deleted before it was removed, so they are missing below; one
  // written after it is swept only after its window, beyond the new lease.
  ASSIGN_OR_RETURN(auto markers, repo::LoadPruneMarkers(repo));
  std::unordered_map<Id, Id, IdHash> new_marks;  // pack → marker
  std::vector<Id> listed;
  for (const auto& m : markers) {
    listed.push_back(m.id);
    if (seen_markers.contains(m.id)) continue;
    renewal.markers_new++;
    for (const auto& name : m.marker.packs) {
      if (auto id = repo::IdFromName(name)) new_marks.emplace(*id, m.id);
    }
  }
  std::unordered_set<Id, IdHash> stored;
  for (auto type : {repo::BlobType::kData, repo::BlobType::kTree}) {
    RETURN_IF_ERROR(repo.store().List(repo::PackPrefix(type), [&](const storage::ObjectInfo& info) {
      if (auto id = repo::IdFromName(info.name)) stored.insert(*id);
      return OkStatus();
    }));
  }

  // Every blob the snapshot uses whose indexed copy is newly marked, in walk
  // order; a gone pack stops the walk.
  std::vector<repo::BlobLocation> doomed;
  std::unordered_set<Id, IdHash> doomed_seen;
  std::optional<std::string> gone;
  auto check = [&](const Id& blob) {
    if (gone) return;
    auto location = repo.index().Find(blob);
    if (!location) return;  // stored by this backup and not indexed yet: not markable as used
    if (!stored.contains(location->pack)) {
      gone = fmt::format("prune meanwhile deleted pack {}, which holds blob {}", location->pack.Short(), blob.Short());
    } else if (new_marks.contains(location->pack) && doomed_seen.insert(blob).second) {
      doomed.push_back(*location);
    }
  };
  check(root);
  std::unordered_set<Id, IdHash> trees_seen;
  if (!gone) {
    RETURN_IF_ERROR(WalkTree(
        repo, root, "",
        [&](const std::string&, const repo::Node& node) {
          for (const Id& id : node.content) check(id);
          if (node.type != repo::NodeType::kDirectory || gone) return false;
          if (!trees_seen.insert(node.subtree).second) return false;
          check(node.subtree);
          return !gone;
        },
        nullptr, [&](const std::string&, const std::vector<Id>& pages) {
          for (const Id& page : pages) check(page);
        }));
  }
  if (gone) return Fail(Code::kAborted, *gone);

  if (!doomed.empty()) {
    // The copies get an index file of their own before the snapshot is
    // written, as prune's repacking does; Find keeps answering with the
    // first copy, which is fine: the snapshot names blobs, not packs.
    repo::BlobSaver saver(repo, repo::BlobSaverOptions{.upload_threads = upload_threads, .ignore_existing = true});
    for (const auto& location : doomed) {
      auto plaintext = repo.LoadBlob(location.entry.id);
      if (!plaintext) {
        return Fail(Code::kAborted, fmt::format("copying blob {} out of pack {}, which prune marked meanwhile: {}",
                                                location.entry.id.Short(), location.pack.Short(),
                                                plaintext.error().message()));
      }
      RETURN_IF_ERROR(saver.Save(location.entry.type, location.entry.id, *plaintext));
    }
    RETURN_IF_ERROR(saver.Flush());
    renewal.blobs_recopied = doomed.size();
    renewal.packs_written = saver.stats().packs_uploaded;
    LogInfo("{}: {} blobs copied out of packs prune marked while the backup ran ({} new packs)",
            repo.store().Location(), renewal.blobs_recopied, renewal.packs_written);
  }
  seen_markers.insert(listed.begin(), listed.end());
  return renewal;
}

}  // namespace arkiv::engine
