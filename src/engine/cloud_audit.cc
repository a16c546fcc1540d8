#include "engine/cloud_audit.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "placement/shard.h"
#include "placement/shard_name.h"
#include "placement/verify.h"
#include "repo/layout.h"

namespace arkiv::engine {
namespace {

using placement::PlacementStore;

// Objects placed on every cloud (design.md §20.2) that the audit looks at.
bool IsReplicatedKind(std::string_view name) {
  return name == repo::kConfigName || name.starts_with("keys/") || name.starts_with("clouds/") ||
         name.starts_with("index/") || name.starts_with("snapshots/") || name.starts_with("tree/") ||
         name.starts_with("status/") || name.starts_with("prune/");
}

// Whether a cloud's listing holds anything of logical object `name`: the
// object, or for a data pack its copy or a shard of any policy.
bool Holds(const std::map<std::string, uint64_t>& held, const std::string& name) {
  for (auto it = held.lower_bound(name); it != held.end() && it->first.starts_with(name); ++it) {
    if (it->first == name) return true;
    auto shard = placement::ParseShardName(it->first);
    if (shard && shard->pack == name) return true;
  }
  return false;
}

// Sorts the objects with remove debt into due, waiting and void (see
// cloud_audit.h): a remove's leftovers may go only when no cloud it reached
// holds the object again and the index does not list it.
void JudgeRemovals(const std::vector<placement::DebtEntry>& debt, const std::vector<placement::Cloud>& clouds,
                   const std::vector<std::map<std::string, uint64_t>>& held, const std::vector<bool>& listed,
                   const std::set<std::string>& in_index, CloudAuditReport& report) {
  std::map<std::string, std::set<size_t>> owing;
  for (const auto& d : debt) {
    if (d.op != placement::DebtOp::kRemove) continue;
    auto cloud = std::find_if(clouds.begin(), clouds.end(), [&](const placement::Cloud& c) { return c.name == d.cloud; });
    // A cloud that left the set is not looked at again: its entries are void.
    if (cloud == clouds.end()) continue;
    owing[d.object].insert(static_cast<size_t>(cloud - clouds.begin()));
  }
  for (const auto& [object, clouds_owing] : owing) {
    bool elsewhere = false, unknown = false;
    for (size_t i = 0; i < clouds.size(); ++i) {
      if (clouds_owing.contains(i)) continue;
      if (!listed[i]) {
        unknown = true;
      } else if (Holds(held[i], object)) {
        elsewhere = true;
      }
    }
    if (elsewhere || in_index.contains(object)) {
      report.removals_void.insert(object);
    } else if (unknown) {
      report.removals_waiting.insert(object);
    } else {
      report.removals_due.insert(object);
    }
  }
}

}  // namespace

std::string_view FindingKindName(CloudFinding::Kind kind) {
  switch (kind) {
    case CloudFinding::Kind::kMissing: return "missing";
    case CloudFinding::Kind::kCorrupt: return "corrupt";
    case CloudFinding::Kind::kUnexpected: return "unexpected";
    case CloudFinding::Kind::kLeftover: return "leftover";
  }
  return "";
}

size_t CloudAuditReport::Count(CloudFinding::Kind kind) const {
  size_t n = 0;
  for (const auto& f : findings) n += f.kind == kind;
  return n;
}

size_t CloudAuditReport::CountDebt(placement::DebtOp op) const {
  return std::count_if(debt.begin(), debt.end(), [&](const placement::DebtEntry& d) { return d.op == op; });
}

Result<CloudAuditReport> AuditClouds(repo::Repository& repo, PlacementStore& clouds, const CloudAuditOptions& options,
                                     const std::function<void(std::string_view)>& progress) {
  const auto& list = clouds.clouds();
  size_t n = list.size();
  CloudAuditReport report;
  for (size_t i = 0; i < n; ++i) {
    if (options.cloud.empty() || list[i].name == options.cloud) report.audited.push_back(i);
  }
  if (report.audited.empty()) {
    std::string names;
    for (const auto& c : list) names += (names.empty() ? "" : ", ") + c.name;
    return Fail(Code::kInvalidArgument, fmt::format("no cloud named '{}' (clouds: {})", options.cloud, names));
  }

  // Every cloud's listing: the others decide what the audited ones should hold.
  std::vector<std::map<std::string, uint64_t>> held(n);
  std::vector<bool> listed(n, false);
  for (size_t i = 0; i < n; ++i) {
    if (progress) progress(fmt::format("listing cloud {}", list[i].name));
    Status st = list[i].store->List("", [&](const storage::ObjectInfo& info) {
      held[i].emplace(info.name, info.size);
      return OkStatus();
    });
    // A bucket or container that does not exist (a cloud replaced by a new,
    // empty account) holds nothing: everything is missing there, and repair
    // creates it.
    if (!st && st.error().code() == Code::kFailedPrecondition) {
      held[i].clear();
      st = OkStatus();
    }
    if (!st) {
      report.unreachable[i] = st.error().message();
      continue;
    }
    listed[i] = true;
    report.objects[i] = held[i].size();
  }

  // Repair records, from every cloud that answered.
  std::set<std::string> record_names;
  for (size_t i = 0; i < n; ++i) {
    for (auto it = held[i].lower_bound(std::string(placement::kRepairPrefix));
         it != held[i].end() && it->first.starts_with(placement::kRepairPrefix); ++it) {
      record_names.insert(it->first);
    }
  }
  std::set<placement::DebtEntry> debt;
  for (const auto& name : record_names) {
    auto bytes = clouds.Get(name);
    if (!bytes) continue;  // removed meanwhile, or unreadable: the listings still tell
    auto record = placement::DebtRecord::Parse(*bytes);
    if (!record) continue;
    report.debt_records.push_back(name);
    debt.insert(record->entries.begin(), record->entries.end());
  }
  report.debt.assign(debt.begin(), debt.end());
  std::set<std::string> in_debt;
  for (const auto& d : debt) {
    if (d.op == placement::DebtOp::kPlace) in_debt.insert(d.object);
  }
  std::vector<std::pair<std::string, uint64_t>> packs;  // data packs in the index
  std::set<std::string> in_index;                       // every pack in the index
  repo.index().ForEachPack([&](const repo::IndexedPack& pack) {
    bool tree = !pack.blobs.empty() && pack.blobs.front().type == repo::BlobType::kTree;
    in_index.insert(repo::PackName(tree ? repo::BlobType::kTree : repo::BlobType::kData, pack.id));
    if (!tree) packs.emplace_back(repo::PackName(repo::BlobType::kData, pack.id), pack.size);
  });
  JudgeRemovals(report.debt, list, held, listed, in_index, report);
  // Neither expected anywhere nor unexpected where the debt is owed.
  auto leftover = [&](const std::string& logical) {
    return report.removals_due.contains(logical) || report.removals_waiting.contains(logical);
  };

  // Expected objects: name on the cloud → (logical name, expected size or 0 if unknown).
  int quorum = clouds.write_quorum();
  std::map<std::string, size_t> copies;
  std::map<std::string, uint64_t> replicated_size;
  for (size_t i = 0; i < n; ++i) {
    for (const auto& [name, size] : held[i]) {
      if (IsReplicatedKind(name)) {
        copies[name]++;
        replicated_size.emplace(name, size);
      }
    }
  }
  // A cloud that answered without even a `config` was wiped (or is a new
  // account): what was written at the quorum may now be on that many fewer
  // clouds, and is still expected on every one — under ec:3+2 two wiped
  // clouds leave the metadata on three, below the quorum of four, and it
  // must be rebuilt on them. A remove's leftover is on fewer clouds still
  // (usually one), and those on record are remove debt (above).
  size_t wiped = 0;
  for (size_t i = 0; i < n; ++i) wiped += listed[i] && !held[i].contains(std::string(repo::kConfigName));
  size_t threshold = std::max<size_t>(1, static_cast<size_t>(quorum) - std::min<size_t>(wiped, quorum));
  std::set<std::string>& replicated_expected = report.replicated;
  if (options.replicated) {
    replicated_expected = *options.replicated;
  } else {
    for (const auto& [name, count] : copies) {
      if (leftover(name)) continue;
      if (count >= threshold || in_debt.contains(name)) replicated_expected.insert(name);
    }
  }
  std::set<std::string> indexed;
  for (const auto& [pack, size] : packs) indexed.insert(pack);

  for (size_t i : report.audited) {
    if (!listed[i]) continue;
    std::map<std::string, std::string> expected;  // name on cloud i → logical
    std::map<std::string, uint64_t> expected_size;
    for (const auto& name : replicated_expected) {
      expected[name] = name;
      auto size = replicated_size.find(name);
      expected_size[name] = size == replicated_size.end() ? 0 : size->second;
    }
    for (const auto& [pack, size] : packs) {
      std::string child = clouds.ChildName(pack, i, size);
      expected[child] = pack;
      if (clouds.policy().erasure()) {
        expected_size[child] = placement::kShardHeaderSize + placement::ShardSizeFor(size, clouds.policy().k);
      } else {
        expected_size[child] = size;
      }
    }
    for (const auto& [name, logical] : expected) {
      auto it = held[i].find(name);
      if (it == held[i].end()) {
        report.findings.push_back({CloudFinding::Kind::kMissing, i, name, logical, "not on this cloud"});
      } else if (name != repo::kConfigName && !name.starts_with("keys/") && expected_size[name] != 0 &&
                 it->second != expected_size[name]) {
        report.findings.push_back({CloudFinding::Kind::kCorrupt, i, name, logical,
                                   fmt::format("{} bytes, expected {}", it->second, expected_size[name])});
      }
    }
    for (const auto& [name, size] : held[i]) {
      if (expected.contains(name) || name.starts_with("locks/") || name.starts_with(placement::kRepairPrefix)) continue;
      bool ours = IsReplicatedKind(name) || name.starts_with("data/");
      if (!ours) continue;
      std::string logical = name;
      if (auto shard = placement::ParseShardName(name)) logical = shard->pack;
      if (leftover(logical)) {
        bool due = report.removals_due.contains(logical);
        report.findings.push_back({CloudFinding::Kind::kLeftover, i, name, logical,
                                   due ? "removed from the other clouds while this one was out (remove debt); "
                                         "`arkiv repair` removes it"
                                       : "removed from the other clouds while this one was out (remove debt); "
                                         "removed once every cloud answers"});
        continue;
      }
      if (!IsReplicatedKind(name) && indexed.contains(logical)) {
        report.findings.push_back({CloudFinding::Kind::kUnexpected, i, name, logical,
                                   "in a layout the policy no longer uses (`arkiv rebalance` removes it)", true});
        continue;
      }
      report.findings.push_back({CloudFinding::Kind::kUnexpected, i, name, logical,
                                 IsReplicatedKind(name) ? "left over from a remove while this cloud was out"
                                                        : "in no index (an interrupted backup, or removed by prune "
                                                          "while this cloud was out)"});
    }
    if (!options.read_data) continue;
    size_t done = 0;
    for (const auto& [name, logical] : expected) {
      if (!held[i].contains(name)) continue;
      bool pack = logical.starts_with("data/") || logical.starts_with("tree/");
      if (pack && options.read_packs != nullptr && !options.read_packs->contains(logical)) continue;
      if (progress && done++ % 16 == 0) progress(fmt::format("reading cloud {}: {}", list[i].name, name));
      auto bytes = list[i].store->Get(name);
      if (!bytes) {
        report.findings.push_back(
            {bytes.error().code() == Code::kDataLoss ? CloudFinding::Kind::kCorrupt : CloudFinding::Kind::kMissing, i,
             name, logical, bytes.error().message()});
        continue;
      }
      report.bytes_read += bytes->size();
      if (Status st = placement::VerifyCloudObject(name, *bytes); !st) {
        // A size mismatch was already reported for this object.
        bool known = std::any_of(report.findings.begin(), report.findings.end(),
                                 [&](const CloudFinding& f) { return f.cloud == i && f.object == name; });
        if (!known) report.findings.push_back({CloudFinding::Kind::kCorrupt, i, name, logical, st.error().message()});
      }
    }
  }
  return report;
}

}  // namespace arkiv::engine
