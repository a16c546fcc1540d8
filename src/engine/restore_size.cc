#include "engine/restore_size.h"

#include <fmt/format.h>

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
  return true;
}

Result<RestoreSize> RestoreSizeOf(const repo::Repository& repo, const Id& tree) {
  RestoreSizeCounter counter(repo);
  if (!counter.Add(tree, "")) return Fail(*counter.failure());
  RETURN_IF_ERROR(WalkTree(repo, tree, "", [&](const std::string& path, const repo::Node& node) {
    if (node.type == repo::NodeType::kDirectory) return counter.Add(node.subtree, path);
    for (const Id& blob : node.content) {
      if (!counter.Add(blob, path)) return false;
    }
    return true;
  }));
  if (counter.failure()) return Fail(*counter.failure());
  return counter.size();
}

}  // namespace arkiv::engine
