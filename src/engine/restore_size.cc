#include "engine/restore_size.h"

#include <fmt/format.h>

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
  // Trees are read one by one as the walk meets them; file contents in runs.
  if (location->entry.type == repo::BlobType::kTree) {
    size_.requests++;
  } else {
    data_.push_back(blob);
  }
  return true;
}

RestoreSize RestoreSizeCounter::size() const {
  RestoreSize total = size_;
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
