// `arkiv rebalance`: moves a multi-cloud repository onto its pending cloud
// set (staged by `cloud add` / `cloud remove`) and/or a new policy, with at
// no moment less redundancy than the old or the new layout gives
// (design.md §20.6):
//  1. every object the new layout needs (copies, shards in the new K+M,
//     metadata on new clouds) is written onto the new set's clouds, read and
//     verified through the current layout; nothing is removed;
//  2. only when every cloud of the new set holds what it should is the new
//     cloud set published (generation + 1);
//  3. then the copies and shards of the old layout that the new one does not
//     use are removed from the clouds that stay. Clouds that left the set
//     are not touched: their objects stay until the operator deletes them.
// Interrupted anywhere, the command is run again: step 1 finds what is done;
// after step 2 the published set is current and step 3 completes.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "engine/clouds.h"
#include "placement/cloud_set.h"
#include "placement/policy.h"
#include "repo/repository.h"

namespace arkiv::engine {

struct RebalanceOptions {
  std::optional<placement::Policy> policy;  // overrides the pending policy
  std::optional<int> write_quorum;          // overrides the pending write quorum
  bool dry_run = false;                     // plan only: nothing written or removed
};

struct RebalanceReport {
  placement::CloudSet set;  // the set the repository is on afterwards (or would be)
  bool published = false;   // a new cloud set was (or would be) published
  uint64_t written = 0;     // objects written onto clouds (or to write)
  uint64_t bytes_written = 0;
  uint64_t removed = 0;            // old-layout copies and shards removed (or to remove)
  std::vector<std::string> added;  // clouds that joined the set
  std::vector<std::string> left;   // clouds that left it (their objects are left as they are)
};

// REQUIRES: the repository is on its clouds (AttachClouds), the index is
// loaded, an exclusive lock is held. kInvalidArgument when the new set is
// not valid (e.g. an ec policy whose K+M is not the number of clouds);
// kUnavailable when a cloud of the new set does not answer or objects could
// not be written (the cloud set is then unchanged).
Result<RebalanceReport> Rebalance(repo::Repository& repo, const placement::CloudSet& current,
                                  const RebalanceOptions& options, const StoreOpener& open,
                                  const std::function<void(std::string_view)>& progress = nullptr);

}  // namespace arkiv::engine
