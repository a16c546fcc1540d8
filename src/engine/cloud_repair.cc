#include "engine/cloud_repair.h"

#include <fmt/format.h>

#include <set>

#include "crypto/sha256.h"
#include "placement/erasure_code.h"
#include "placement/pack_shards.h"
#include "placement/shard_name.h"
#include "repo/layout.h"

namespace arkiv::engine {
namespace {

using placement::PlacementStore;

// The bytes cloud `target` should hold under `object` (its name there).
Result<Bytes> RebuildObject(PlacementStore& clouds, const CloudFinding& finding) {
  auto shard = placement::ParseShardName(finding.object);
  if (shard) {
    // The placement store decodes the pack from the other shards and checks
    // it against its name before we cut it up again.
    ASSIGN_OR_RETURN(Bytes pack, clouds.Get(shard->pack));
    ASSIGN_OR_RETURN(auto code, placement::ErasureCode::Create(shard->k, shard->m));
    auto id = Id::Parse(*placement::ContentHashOf(shard->pack));
    std::vector<Bytes> shards = placement::SplitPack(code, *id, pack);
    return std::move(shards[static_cast<size_t>(shard->index)]);
  }
  if (placement::ContentHashOf(finding.object)) return clouds.Get(finding.object);  // verified by name
  // `config` cannot be checked without the key: take the copy most clouds agree on.
  std::map<Bytes, size_t> votes;
  const auto& list = clouds.clouds();
  for (size_t i = 0; i < list.size(); ++i) {
    if (i == finding.cloud) continue;
    if (auto bytes = list[i].store->Get(finding.object)) votes[*bytes]++;
  }
  if (votes.empty()) return Fail(Code::kUnavailable, fmt::format("{}: no other cloud has a copy", finding.object));
  auto best = std::max_element(votes.begin(), votes.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  return best->first;
}

}  // namespace

Result<CloudRepairReport> RepairClouds(PlacementStore& clouds, const CloudAuditReport& audit, bool dry_run,
                                       const std::function<void(std::string_view)>& progress) {
  CloudRepairReport report;
  const auto& list = clouds.clouds();
  std::set<std::pair<std::string, std::string>> fixed;  // (cloud, logical)
  std::set<std::pair<std::string, std::string>> still_broken;
  std::set<size_t> located;  // clouds whose bucket/container is known to exist
  for (const auto& f : audit.findings) {
    if (f.kind == CloudFinding::Kind::kUnexpected) continue;
    const std::string& cloud = list[f.cloud].name;
    if (progress) progress(fmt::format("{} {} on {}", dry_run ? "would rebuild" : "rebuilding", f.object, cloud));
    if (dry_run) {
      report.rebuilt++;
      continue;
    }
    if (located.insert(f.cloud).second) {
      // A cloud replaced by an empty account may lack its bucket/container.
      if (Status st = list[f.cloud].store->CreateLocation(); !st) {
        report.failed.push_back(fmt::format("cloud {}: create its bucket/container: {}", cloud, st.error().message()));
      }
    }
    auto bytes = RebuildObject(clouds, f);
    Status st = bytes ? list[f.cloud].store->Put(f.object, *bytes, storage::PutMode::kReplace) : Fail(bytes.error());
    if (!st) {
      report.failed.push_back(fmt::format("cloud {}: {}: {}", cloud, f.object, st.error().message()));
      still_broken.emplace(cloud, f.logical);
      continue;
    }
    report.rebuilt++;
    report.bytes_written += bytes->size();
    fixed.emplace(cloud, f.logical);
  }
  if (dry_run) return report;
  // A record is discharged when none of its entries is still broken on an
  // audited cloud and every audited cloud it names was reachable.
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
      return !in_set || (audited_names.contains(e.cloud) && !still_broken.contains({e.cloud, e.object}));
    });
    if (done && clouds.Remove(record_name)) report.records_removed++;
  }
  return report;
}

}  // namespace arkiv::engine
