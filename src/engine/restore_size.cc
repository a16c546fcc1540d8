#include "engine/restore_size.h"

#include <fmt/format.h>

#include <cstdint>
#include <iterator>

#include "engine/restore_plan.h"
#include "engine/tree_walker.h"

namespace arkiv::engine {

bool RestoreSizeCounter::Add(const Id& blob, const std::string& path) {
  if (!seen_.insert(blob).second) return true;
  auto location = repo_.index().Find(blob);
  if (!location) {
    failure_ = Error(Code::kDataLoss, fmt::format("{}: blob {} is not in the index", path.empty() ? "/" : path,
                                                  blob.Short()));
    return false;
  }
  size_.bytes += location->entry.length;
  size_.blobs++;
  // Trees are read in blocks of their packs as the walk meets them
  // (repo/tree_block_cache.h); file contents in runs.
  if (location->entry.type == repo::BlobType::kTree) {
    constexpr uint64_t kBlock = repo::TreeBlockCache::kBlockBytes;
    const uint64_t end = uint64_t{location->entry.offset} + location->entry.length;
    for (uint64_t b = location->entry.offset / kBlock; b <= (end - 1) / kBlock; ++b) tree_blocks_.emplace(location->pack, b);
  } else {
    data_.push_back(blob);
  }
  return true;
}

RestoreSize RestoreSizeCounter::size() const {
  RestoreSize total = size_;
  // A read of a tree pack takes the blob's block with two before and one
  // after, fewer where held already: about three new blocks a read when a
  // walk goes through a pack.
  constexpr uint64_t kNewBlocksPerRead = repo::TreeBlockCache::kBlocksBefore + 1;
  for (auto it = tree_blocks_.begin(); it != tree_blocks_.end();) {
    auto next = tree_blocks_.upper_bound({it->first, UINT64_MAX});
    auto blocks = static_cast<uint64_t>(std::distance(it, next));
    total.requests += (blocks + kNewBlocksPerRead - 1) / kNewBlocksPerRead;
    it = next;
  }
  total.requests += PlanRestore(repo_.index(), {&data_}).runs.size();
  return total;
}

Result<RestoreSize> RestoreSizeOf(const repo::Repository& repo, const Id& tree) {
  RestoreSizeCounter counter(repo);
  if (!counter.Add(tree, "")) return Fail(*counter.failure());
  RETURN_IF_ERROR(WalkTree(
      repo, tree, "",
      [&](const std::string& path, const repo::Node& node) {
        if (node.type == repo::NodeType::kDirectory) return counter.Add(node.subtree, path);
        for (const Id& blob : node.content) {
          if (!counter.Add(blob, path)) return false;
        }
        return true;
      },
      nullptr,
      [&](const std::string& path, const std::vector<Id>& pages) {
        for (const Id& page : pages) counter.Add(page, path);
      }));
  if (counter.failure()) return Fail(*counter.failure());
  return counter.size();
}

}  // namespace arkiv::engine
