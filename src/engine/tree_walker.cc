#include "engine/tree_walker.h"

#include <fmt/format.h>

namespace arkiv::engine {

Status WalkTree(const repo::Repository& repo, const Id& tree, const std::string& prefix,
                const std::function<bool(const std::string&, const repo::Node&)>& fn,
                const std::function<void(const std::string&, const Error&)>& on_error) {
  auto loaded = repo.LoadTree(tree);
  if (!loaded) {
    if (!on_error) return Fail(loaded.error().Context(prefix.empty() ? "/" : prefix));
    on_error(prefix, loaded.error());
    return OkStatus();
  }
  for (const auto& node : loaded->nodes) {
    std::string path = prefix.empty() ? node.name : prefix + "/" + node.name;
    bool descend = fn(path, node);
    if (descend && node.type == repo::NodeType::kDirectory) {
      RETURN_IF_ERROR(WalkTree(repo, node.subtree, path, fn, on_error));
    }
  }
  return OkStatus();
}

Result<repo::Node> FindNode(const repo::Repository& repo, const Id& tree, const std::string& path) {
  Id current = tree;
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    std::string part = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    ASSIGN_OR_RETURN(repo::Tree t, repo.LoadTree(current));
    auto it = std::find_if(t.nodes.begin(), t.nodes.end(), [&](const repo::Node& n) { return n.name == part; });
    if (it == t.nodes.end()) return Fail(Code::kNotFound, fmt::format("{:?} is not in the snapshot", path));
    if (slash == std::string::npos) return *it;
    if (it->type != repo::NodeType::kDirectory) {
      return Fail(Code::kNotFound, fmt::format("{:?} is not a directory in the snapshot", path.substr(0, slash)));
    }
    current = it->subtree;
    start = slash + 1;
  }
}

}  // namespace arkiv::engine
