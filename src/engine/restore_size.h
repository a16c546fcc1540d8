// How much a restore of a snapshot reads: every distinct blob below its
// tree (file contents and the trees themselves), at its stored size. What
// `arkiv plan` estimates the restore time and egress from.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <unordered_set>
#include <vector>

#include "core/id.h"
#include "core/status.h"
#include "repo/repository.h"

namespace arkiv::engine {

struct RestoreSize {
  uint64_t bytes = 0;     // sealed, compressed bytes of the distinct blobs
  uint64_t blobs = 0;
  // Reads a restore makes: the tree blocks (repo/tree_block_cache.h), one
  // per run of a data pack (restore_plan.h).
  uint64_t requests = 0;
};

// Adds up the distinct blobs of a restore as a tree walk meets them.
// REQUIRES: the index is loaded.
class RestoreSizeCounter {
 public:
  explicit RestoreSizeCounter(const repo::Repository& repo) : repo_(repo) {}
  // Counts `blob` (once, however often it is added); false, and failure()
  // set, when the index does not know it. `path` is for the message.
  bool Add(const Id& blob, const std::string& path);
  // The total so far, with the runs the restore would read the data in.
  RestoreSize size() const;
  const std::optional<Error>& failure() const { return failure_; }

 private:
  const repo::Repository& repo_;
  RestoreSize size_;  // requests: none; size() adds them
  std::vector<Id> data_;
  std::set<std::pair<Id, uint64_t>> tree_blocks_;  // (pack, block) holding trees
  std::unordered_set<Id, IdHash> seen_;
  std::optional<Error> failure_;
};

// REQUIRES: the index is loaded. kDataLoss naming the path when a blob is
// not in the index (a restore would fail there too).
Result<RestoreSize> RestoreSizeOf(const repo::Repository& repo, const Id& tree);

}  // namespace arkiv::engine
