#include "engine/check.h"

#include <fmt/format.h>

#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "crypto/sha256.h"
#include "engine/tree_walker.h"
#include "repo/pack.h"
#include "repo/prune_marker.h"

namespace arkiv::engine {
namespace {

constexpr size_t kMaxAffectedListed = 20;

class Checker {
 public:
  Checker(repo::Repository& repo, const CheckOptions& options, CheckProgress& progress)
      : repo_(repo), options_(options), progress_(progress) {}

  Result<CheckReport> Run();

 private:
  Status CheckPacks();
  void ReadPack(uint32_t slot);
  Status CheckSnapshots(const std::vector<Id>& ids);
  void Problem(CheckProblem p) { report_.problems.push_back(std::move(p)); }
  // Records that `blob` problems affect `where`, on the blob's problem and
  // on the problem of the pack that held it.
  void Affects(const Id& blob, const std::string& where);
  void AddAffected(size_t problem, const std::string& where);
  void PackProblem(CheckProblem p) {
    pack_problem_[p.object] = report_.problems.size();
    Problem(std::move(p));
  }

  repo::Repository& repo_;
  const CheckOptions& options_;
  CheckProgress& progress_;
  CheckReport report_;
  std::unordered_map<Id, std::string, IdHash> bad_blobs_;  // blob -> pack object name
  std::unordered_map<Id, size_t, IdHash> blob_problem_;     // blob -> index in problems
  std::unordered_map<std::string, size_t> pack_problem_;    // pack object name -> index in problems
  std::unordered_map<size_t, std::string> last_affected_;   // problem index -> path added last
};

bool IsError(const CheckProblem& p) { return !p.warning; }

void Checker::AddAffected(size_t problem, const std::string& where) {
  // A file's blobs are visited one after another: count the file once.
  auto [last, first_time] = last_affected_.try_emplace(problem, where);
  if (!first_time) {
    if (last->second == where) return;
    last->second = where;
  }
  auto& p = report_.problems[problem];
  p.affected_total++;
  if (p.affected.size() < kMaxAffectedListed) p.affected.push_back(where);
}

void Checker::Affects(const Id& blob, const std::string& where) {
  auto it = blob_problem_.find(blob);
  if (it == blob_problem_.end()) return;
  AddAffected(it->second, where);
  auto bad = bad_blobs_.find(blob);
  if (bad == bad_blobs_.end()) return;
  if (auto pack = pack_problem_.find(bad->second); pack != pack_problem_.end()) AddAffected(pack->second, where);
}

Status Checker::CheckPacks() {
  std::map<std::string, uint64_t> stored;
  for (auto type : {repo::BlobType::kData, repo::BlobType::kTree}) {
    RETURN_IF_ERROR(repo_.store().List(repo::PackPrefix(type), [&](const storage::ObjectInfo& info) {
      stored.emplace(info.name, info.size);
      return OkStatus();
    }));
  }
  std::set<std::string> indexed;
  std::vector<uint32_t> to_read;  // pack slots: the packs are built one at a time as they are read
  std::vector<ReadDataSubset::Pack> candidates;  // to_read's ids and sizes, for the subset to choose from
  uint32_t slot = 0;
  repo_.index().ForEachPack([&](const repo::IndexedPack& pack) {
    uint32_t this_slot = slot++;
    report_.packs++;
    report_.blobs += pack.blobs.size();
    repo::BlobType type = pack.blobs.empty() ? repo::BlobType::kData : pack.blobs.front().type;
    std::string name = repo::PackName(type, pack.id);
    indexed.insert(name);
    auto it = stored.find(name);
    bool marked = repo_.marked_packs().contains(pack.id);
    if (it == stored.end() && marked) {
      // Swept by a prune after this check read the index: only the blobs a
      // snapshot still needs from it are errors (CheckSnapshots).
      Problem({"swept pack", true, name, "", fmt::format("pack {} was deleted by prune during this check", name), {},
               0});
      for (const auto& blob : pack.blobs) bad_blobs_.emplace(blob.id, name);
      return;
    }
    if (marked) report_.packs_marked++;
    if (it == stored.end()) {
      PackProblem(
          {"missing pack", false, name, "", fmt::format("pack {} is indexed but missing from the store", name), {}, 0});
      for (const auto& blob : pack.blobs) bad_blobs_.emplace(blob.id, name);
      return;
    }
    if (it->second != pack.size) {
      Problem({"pack size", false, name, "",
               fmt::format("pack {} has {} bytes, the index says {}", name, it->second, pack.size), {}, 0});
    }
    if (options_.read_data) {
      to_read.push_back(this_slot);
      candidates.push_back({pack.id, pack.size});
    }
  });
  for (const auto& [name, size] : stored) {
    if (!indexed.contains(name) && repo_.marked_packs().contains(*repo::IdFromName(name))) {
      report_.packs_marked++;
    } else if (!indexed.contains(name)) {
      Problem({"unindexed pack", true, name, "",
               fmt::format("pack {} is in no index (left by an interrupted backup; `arkiv prune` removes it)", name),
               {}, 0});
    }
  }
  if (options_.read_data) {
    std::mt19937_64 random(options_.seed != 0 ? options_.seed : std::random_device{}());
    std::vector<size_t> chosen = options_.subset.Select(candidates, random);
    progress_.packs_total = chosen.size();
    for (size_t i : chosen) {
      report_.packs_read++;
      ReadPack(to_read[i]);
    }
  }
  return OkStatus();
}

void Checker::ReadPack(uint32_t slot) {
  const repo::IndexedPack pack = repo_.index().PackWithBlobs(slot);
  repo::BlobType type = pack.blobs.empty() ? repo::BlobType::kData : pack.blobs.front().type;
  std::string name = repo::PackName(type, pack.id);
  report_.packs_selected.push_back(name);
  auto bytes = repo_.store().Get(name);
  progress_.packs_done++;
  if (!bytes) {
    PackProblem({"unreadable pack", false, name, "", bytes.error().message(), {}, 0});
    for (const auto& blob : pack.blobs) bad_blobs_.emplace(blob.id, name);
    return;
  }
  progress_.bytes_read += bytes->size();
  report_.bytes_read += bytes->size();
  if (crypto::Sha256(*bytes) != pack.id) {
    PackProblem({"damaged pack", false, name, "",
                 fmt::format("pack {}: content does not match its name (SHA-256)", name), {}, 0});
  }
  auto header = repo::ReadPackHeader(repo_.key(), *bytes);
  if (!header) {
    Problem({"damaged pack header", false, name, "", header.error().message(), {}, 0});
  } else if (header->size() != pack.blobs.size()) {
    Problem({"index mismatch", false, name, "",
             fmt::format("pack {} holds {} blobs, the index lists {}", name, header->size(), pack.blobs.size()), {},
             0});
  }
  // Check each blob where the index says it is, so one damaged byte costs
  // only the blobs it touches.
  for (const auto& entry : pack.blobs) {
    report_.blobs_read++;
    if (uint64_t(entry.offset) + entry.length > bytes->size()) {
      bad_blobs_.emplace(entry.id, name);
      continue;
    }
    auto plain = repo::OpenBlob(repo_.key(), entry, ByteView(*bytes).subspan(entry.offset, entry.length), true);
    if (!plain) bad_blobs_.emplace(entry.id, name);
  }
}

Status Checker::CheckSnapshots(const std::vector<Id>& ids) {
  // One problem per bad blob, so the walk can attach the paths it affects.
  for (const auto& [blob, pack] : bad_blobs_) {
    blob_problem_[blob] = report_.problems.size();
    Problem({"damaged blob", false, pack, blob.Hex(), fmt::format("blob {} in pack {} is missing or damaged",
                                                                  blob.Short(), pack), {}, 0});
  }
  // Trees walked, by index position (a bit each); trees in no index by id.
  std::vector<bool> trees_seen_at(repo_.index().RecordCount());
  std::unordered_set<Id, IdHash> trees_seen_unindexed;
  auto first_visit = [&](const Id& tree) {
    auto position = repo_.index().Position(tree);
    if (!position) return trees_seen_unindexed.insert(tree).second;
    if (trees_seen_at[*position]) return false;
    trees_seen_at[*position] = true;
    return true;
  };
  for (const Id& id : ids) {
    std::string object = repo::FileName(repo::FileKind::kSnapshot, id);
    auto plain = repo_.LoadFile(repo::FileKind::kSnapshot, id);
    Result<repo::Snapshot> snap = plain ? repo::Snapshot::Parse(*plain) : Fail(plain.error());
    if (!snap) {
      Problem({"damaged snapshot", false, object, "", snap.error().message(), {}, 0});
      continue;
    }
    report_.snapshots++;
    std::string label = fmt::format("snapshot {}", id.Short());
    auto check_blob = [&](const Id& blob, const std::string& where) {
      if (!repo_.index().Has(blob) && !blob_problem_.contains(blob)) {
        blob_problem_[blob] = report_.problems.size();
        Problem({"missing blob", false, "", blob.Hex(), fmt::format("blob {} is in no index", blob.Short()), {}, 0});
      }
      Affects(blob, where);
    };
    check_blob(snap->tree, label + ": /");
    // Trees seen in an earlier snapshot are not walked again; their problems
    // were attributed to the first snapshot that reached them.
    if (!first_visit(snap->tree)) continue;
    RETURN_IF_ERROR(WalkTree(
        repo_, snap->tree, "",
        [&](const std::string& path, const repo::Node& node) {
          std::string where = label + ": " + path;
          for (const Id& blob : node.content) check_blob(blob, where);
          if (node.type != repo::NodeType::kDirectory) return false;
          check_blob(node.subtree, where);
          report_.trees_checked++;
          return first_visit(node.subtree);
        },
        [&](const std::string& path, const Error& error) {
          if (error.code() == Code::kUnavailable) return;
          Problem({"damaged tree", false, "", "", fmt::format("{}: {}", label + ": " + (path.empty() ? "/" : path),
                                                              error.message()), {label + ": " + path}, 1});
        },
        [&](const std::string& path, const std::vector<Id>& pages) {
          for (const Id& page : pages) check_blob(page, label + ": " + (path.empty() ? "/" : path));
        }));
  }
  return OkStatus();
}

Result<CheckReport> Checker::Run() {
  std::vector<std::pair<Id, Error>> damaged;
  ASSIGN_OR_RETURN(auto markers, repo::LoadPruneMarkers(repo_));
  report_.prune_markers = markers.size();
  for (const auto& m : markers) {
    if (report_.next_sweep_ns == 0 || m.marker.DueNs() < report_.next_sweep_ns) report_.next_sweep_ns = m.marker.DueNs();
  }
  // Snapshots are listed before the index is loaded: a backup running beside
  // the check writes its index before its snapshot, so every snapshot listed
  // here has its blobs in the index loaded next.
  ASSIGN_OR_RETURN(auto snapshot_ids, repo_.ListFiles(repo::FileKind::kSnapshot));
  RETURN_IF_ERROR(repo_.LoadIndex(&damaged));
  for (const auto& [id, error] : damaged) {
    Problem({"damaged index", false, repo::FileName(repo::FileKind::kIndex, id), "", error.message(), {}, 0});
  }
  RETURN_IF_ERROR(CheckPacks());
  RETURN_IF_ERROR(CheckSnapshots(snapshot_ids));
  return std::move(report_);
}

}  // namespace

bool CheckReport::HasErrors() const { return std::any_of(problems.begin(), problems.end(), IsError); }

Result<CheckReport> RunCheck(repo::Repository& repo, const CheckOptions& options, CheckProgress& progress) {
  Checker checker(repo, options, progress);
  return checker.Run();
}

}  // namespace arkiv::engine
