#include "engine/diff.h"

#include <map>

#include "engine/tree_walker.h"

namespace arkiv::engine {
namespace {

using repo::Node;
using repo::NodeType;

Status AddAll(const repo::Repository& repo, const Node& node, const std::string& path, char kind,
              std::vector<Change>& out) {
  out.push_back({kind, path});
  if (node.type != NodeType::kDirectory) return OkStatus();
  return WalkTree(repo, node.subtree, path, [&](const std::string& p, const Node&) {
    out.push_back({kind, p});
    return true;
  });
}

bool SameMetadata(const Node& a, const Node& b) {
  return a.mode == b.mode && a.uid == b.uid && a.gid == b.gid && a.mtime_ns == b.mtime_ns &&
         a.link_target == b.link_target && a.rdev == b.rdev;
}

Status Diff(const repo::Repository& repo, const Id& before, const Id& after, const std::string& prefix,
            std::vector<Change>& out) {
  if (before == after) return OkStatus();
  ASSIGN_OR_RETURN(repo::Tree a, repo.LoadTree(before));
  ASSIGN_OR_RETURN(repo::Tree b, repo.LoadTree(after));
  std::map<std::string_view, const Node*> old_nodes, new_nodes;
  for (const auto& n : a.nodes) old_nodes[n.name] = &n;
  for (const auto& n : b.nodes) new_nodes[n.name] = &n;
  std::map<std::string_view, int> names;
  for (const auto& [n, _] : old_nodes) names[n] |= 1;
  for (const auto& [n, _] : new_nodes) names[n] |= 2;
  for (const auto& [name, where] : names) {
    std::string path = prefix.empty() ? std::string(name) : prefix + "/" + std::string(name);
    if (where == 1) {
      RETURN_IF_ERROR(AddAll(repo, *old_nodes[name], path, '-', out));
      continue;
    }
    if (where == 2) {
      RETURN_IF_ERROR(AddAll(repo, *new_nodes[name], path, '+', out));
      continue;
    }
    const Node& o = *old_nodes[name];
    const Node& n = *new_nodes[name];
    if (o.type != n.type) {
      out.push_back({'T', path});
      continue;
    }
    if (n.type == NodeType::kDirectory) {
      if (!SameMetadata(o, n)) out.push_back({'U', path});
      RETURN_IF_ERROR(Diff(repo, o.subtree, n.subtree, path, out));
    } else if (o.content != n.content || o.size != n.size) {
      out.push_back({'M', path});
    } else if (!SameMetadata(o, n)) {
      out.push_back({'U', path});
    }
  }
  return OkStatus();
}

}  // namespace

Result<std::vector<Change>> DiffTrees(const repo::Repository& repo, const Id& before, const Id& after) {
  std::vector<Change> out;
  RETURN_IF_ERROR(Diff(repo, before, after, "", out));
  return out;
}

}  // namespace arkiv::engine
