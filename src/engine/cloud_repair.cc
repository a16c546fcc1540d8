#include "engine/cloud_repair.h"

#include <fmt/format.h>

#include <map>
#include <optional>
#include <set>

#include "crypto/sha256.h"
#include "placement/erasure_code.h"
#include "placement/pack_shards.h"
#include "placement/shard_name.h"
#include "repo/layout.h"

namespace arkiv::engine {
namespace {

using placement::PlacementStore;

// `config` cannot be checked without the key: the copy most clouds agree on.
Result<Bytes> VotedCopy(PlacementStore& source, std::string_view object, const std::set<std::string>& lacking) {
  std::map<Bytes, size_t> votes;
  for (const auto& cloud : source.clouds()) {
    if (lacking.contains(cloud.name)) continue;
    if (auto bytes = cloud.store->Get(object)) votes[*bytes]++;
  }
  if (votes.empty()) return Fail(Code::kUnavailable, fmt::format("{}: no other cloud has a copy", object));
  auto best =
      std::max_element(votes.begin(), votes.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  return best->first;
}

// The bytes each finding's cloud should hold, for findings of one logical
// object: the object is read (and verified) once, and cut into shards once
// per layout.
class Rebuilder {
 public:
  Rebuilder(PlacementStore& source, const std::vector<const CloudFinding*>& group,
            const std::vector<placement::Cloud>& clouds)
      : source_(source) {
    for (const CloudFinding* f : group) lacking_.insert(clouds[f->cloud].name);
  }

  Result<Bytes> For(const CloudFinding& finding) {
    auto shard = placement::ParseShardName(finding.object);
    if (shard) {
      ASSIGN_OR_RETURN(const Bytes* pack, Logical(shard->pack));
      std::pair<int, int> km{shard->k, shard->m};
      auto it = shards_.find(km);
      if (it == shards_.end()) {
        ASSIGN_OR_RETURN(auto code, placement::ErasureCode::Create(shard->k, shard->m));
        auto id = Id::Parse(*placement::ContentHashOf(shard->pack));
        it = shards_.emplace(km, placement::SplitPack(code, *id, *pack)).first;
      }
      return it->second[static_cast<size_t>(shard->index)];
    }
    if (placement::ContentHashOf(finding.object)) {
      ASSIGN_OR_RETURN(const Bytes* bytes, Logical(finding.object));
      return *bytes;
    }
    return VotedCopy(source_, finding.object, lacking_);
  }

 private:
  // The placement store checks content-named objects against their names
  // (decoding packs from the shards it can read) before they are copied or
  // cut up again.
  Result<const Bytes*> Logical(const std::string& name) {
    if (!logical_) {
      auto bytes = source_.Get(name);
      if (!bytes) {
        error_ = bytes.error();
        logical_ = Bytes();
      } else {
        logical_ = std::move(*bytes);
      }
    }
    if (error_) return Fail(*error_);
    return &*logical_;
  }

  PlacementStore& source_;
  std::set<std::string> lacking_;
  std::optional<Bytes> logical_;
  std::optional<Error> error_;
  std::map<std::pair<int, int>, std::vector<Bytes>> shards_;
};

// Deletes the leftovers of removes that are due (cloud_audit.h). A
// retention lock keeps one until its date: not a failure, the debt stays.
void RemoveLeftovers(PlacementStore& clouds, const CloudAuditReport& audit, bool dry_run,
                     const std::function<void(std::string_view)>& progress, CloudRepairReport& report,
                     std::set<std::pair<std::string, std::string>>& still_broken) {
  const auto& list = clouds.clouds();
  for (const auto& f : audit.findings) {
    if (f.kind != CloudFinding::Kind::kLeftover || !audit.removals_due.contains(f.logical)) continue;
    const std::string& cloud = list[f.cloud].name;
    if (progress) progress(fmt::format("{} {} on {}", dry_run ? "would remove" : "removing", f.object, cloud));
    if (dry_run) {
      report.removed++;
      continue;
    }
    Status st = list[f.cloud].store->Remove(f.object);
    if (!st && st.error().code() == Code::kRetained) {
      report.retained++;
      still_broken.emplace(cloud, f.logical);
    } else if (!st && st.error().code() != Code::kNotFound) {
      report.failed.push_back(fmt::format("cloud {}: remove {}: {}", cloud, f.object, st.error().message()));
      still_broken.emplace(cloud, f.logical);
    } else {
      report.removed++;
    }
  }
}

}  // namespace

Result<CloudRepairReport> RepairClouds(PlacementStore& clouds, const CloudAuditReport& audit, bool dry_run,
                                       const std::function<void(std::string_view)>& progress, PlacementStore* source) {
  CloudRepairReport report;
  const auto& list = clouds.clouds();
  std::set<std::pair<std::string, std::string>> still_broken;  // (cloud, logical)
  std::set<size_t> located;                                    // clouds whose bucket/container is known to exist
  std::map<std::string, std::vector<const CloudFinding*>> by_logical;
  for (const auto& f : audit.findings) {
    if (f.kind == CloudFinding::Kind::kMissing || f.kind == CloudFinding::Kind::kCorrupt) {
      by_logical[f.logical].push_back(&f);
    }
  }
  for (const auto& [logical, group] : by_logical) {
    Rebuilder rebuild(source ? *source : clouds, group, list);
    for (const CloudFinding* finding : group) {
      const CloudFinding& f = *finding;
      const std::string& cloud = list[f.cloud].name;
      if (progress) progress(fmt::format("{} {} on {}", dry_run ? "would rebuild" : "rebuilding", f.object, cloud));
      if (dry_run) {
        report.rebuilt++;
        continue;
      }
      if (located.insert(f.cloud).second) {
        // A cloud replaced by an empty account may lack its bucket/container.
        if (Status st = list[f.cloud].store->CreateLocation(); !st) {
          report.failed.push_back(
              fmt::format("cloud {}: create its bucket/container: {}", cloud, st.error().message()));
        }
      }
      auto bytes = rebuild.For(f);
      Status st = bytes ? list[f.cloud].store->Put(f.object, *bytes, storage::PutMode::kReplace) : Fail(bytes.error());
      if (!st) {
        report.failed.push_back(fmt::format("cloud {}: {}: {}", cloud, f.object, st.error().message()));
        still_broken.emplace(cloud, f.logical);
        continue;
      }
      report.rebuilt++;
      report.bytes_written += bytes->size();
    }
  }
  RemoveLeftovers(clouds, audit, dry_run, progress, report, still_broken);
  if (dry_run) return report;
  // A record is discharged when none of its entries is still broken on an
  // audited cloud and every audited cloud it names was reachable; a remove
  // entry also when it is void, never while it is waiting.
  std::set<std::string> audited_names;
  for (size_t i : audit.audited) {
    if (!audit.unreachable.contains(i)) audited_names.insert(list[i].name);
  }
  for (const auto& record_name : audit.debt_records) {
    auto bytes = clouds.Get(record_name);
    if (!bytes) continue;
    auto record = placement::DebtRecord::Parse(*bytes);
    if (!record) continue;
    // Entries for a cloud no longer in the set (replaced) are void.
    bool done = std::all_of(record->entries.begin(), record->entries.end(), [&](const placement::DebtEntry& e) {
      bool in_set = std::any_of(list.begin(), list.end(), [&](const placement::Cloud& c) { return c.name == e.cloud; });
      if (!in_set) return true;
      if (e.op == placement::DebtOp::kRemove) {
        if (audit.removals_void.contains(e.object)) return true;
        if (!audit.removals_due.contains(e.object)) return false;
      }
      return audited_names.contains(e.cloud) && !still_broken.contains({e.cloud, e.object});
    });
    if (done && clouds.Remove(record_name)) report.records_removed++;
  }
  return report;
}

}  // namespace arkiv::engine
