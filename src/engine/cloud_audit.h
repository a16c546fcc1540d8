// What each cloud of a multi-cloud repository holds against what it should
// (`arkiv check --cloud`, and the plan of `arkiv repair`): missing, corrupt
// and unexpected objects per cloud.
//
// What a cloud should hold (design.md §20.2, §20.5):
//  * data packs: every pack in the index, as its copy or its shard;
//  * other objects (config, keys, clouds, index, snapshots, tree packs):
//    those on at least Q clouds (a write that succeeded reached Q), or named
//    in a repair record. An object on fewer clouds and in no record is left
//    over from a remove while a cloud was out: unexpected, not missing.
// Remove debt (a remove a cloud missed, on record) makes the copies left on
// the clouds that owe it *leftovers*, which repair removes — unless a cloud
// the remove reached holds the object again, or the index lists the pack:
// then a newer write won and the debt is void (design.md §20.5).
// Locks and repair records are nobody's debt and are not audited.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "placement/placement_store.h"
#include "placement/repair_debt.h"
#include "repo/repository.h"

namespace arkiv::engine {

struct CloudFinding {
  enum class Kind { kMissing, kCorrupt, kUnexpected, kLeftover };
  Kind kind = Kind::kMissing;
  size_t cloud = 0;     // index in the placement's cloud list
  std::string object;   // the name on that cloud (a shard name for ec packs)
  std::string logical;  // the repository object it belongs to
  std::string detail;
  // kUnexpected only: a copy or shard of a pack in the index, in a layout
  // the policy no longer uses (left by a rebalance; it removes them).
  bool superseded = false;
};
std::string_view FindingKindName(CloudFinding::Kind kind);

struct CloudAuditOptions {
  std::string cloud;       // audit this cloud only; "" for all
  bool read_data = false;  // read and verify every object (else: listings only)
  // The objects other than data packs every cloud must hold, when the caller
  // knows them better than this audit's quorum rule: `rebalance` takes them
  // from an audit of the current clouds, since new clouds hold none yet.
  const std::set<std::string>* replicated = nullptr;
  // With read_data: read only these packs (data/ and tree/ names, as
  // `check --read-data-subset` chose them); every other object is read.
  const std::set<std::string>* read_packs = nullptr;
};

struct CloudAuditReport {
  std::vector<size_t> audited;                // clouds audited
  std::map<size_t, std::string> unreachable;  // cloud → why
  std::map<size_t, uint64_t> objects;         // cloud → objects listed
  std::vector<CloudFinding> findings;
  std::vector<std::string> debt_records;   // repair/ objects found
  std::vector<placement::DebtEntry> debt;  // their entries (placements and removes)
  // Objects with remove debt, by what repair does about it: remove the
  // leftovers (due); nothing yet, as a cloud the remove reached did not
  // answer (waiting); discharge it, as a newer write won (void).
  std::set<std::string> removals_due, removals_waiting, removals_void;
  std::set<std::string> replicated;        // non-pack objects every cloud should hold
  uint64_t bytes_read = 0;

  size_t Count(CloudFinding::Kind kind) const;
  size_t CountDebt(placement::DebtOp op) const;
};

// REQUIRES: the repository's index is loaded.
Result<CloudAuditReport> AuditClouds(repo::Repository& repo, placement::PlacementStore& clouds,
                                     const CloudAuditOptions& options,
                                     const std::function<void(std::string_view)>& progress = nullptr);

}  // namespace arkiv::engine
