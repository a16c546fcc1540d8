#include "engine/restore_size.h"

#include <fmt/format.h>

#include <optional>
#include <unordered_set>

#include "engine/tree_walker.h"

namespace arkiv::engine {

Result<RestoreSize> RestoreSizeOf(const repo::Repository& repo, const Id& tree) {
  RestoreSize size;
  std::unordered_set<Id, IdHash> seen;
  std::optional<Error> failure;
  // Returns false (and records why) for a blob the index does not know.
  auto count = [&](const Id& blob, const std::string& path) {
    if (!seen.insert(blob).second) return true;
    auto location = repo.index().Find(blob);
    if (!location) {
      failure = Error(Code::kDataLoss,
                      fmt::format("{}: blob {} is not in the index", path.empty() ? "/" : path, blob.Short()));
      return false;
    }
    size.bytes += location->entry.length;
    size.blobs++;
    return true;
  };
  if (!count(tree, "")) return Fail(*failure);
  RETURN_IF_ERROR(WalkTree(repo, tree, "", [&](const std::string& path, const repo::Node& node) {
    if (failure) return false;
    if (node.type == repo::NodeType::kDirectory) return count(node.subtree, path);
    for (const Id& blob : node.content) {
      if (!count(blob, path)) return false;
    }
    return true;
  }));
  if (failure) return Fail(*failure);
  return size;
}

}  // namespace arkiv::engine
