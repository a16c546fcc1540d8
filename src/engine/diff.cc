#include "engine/diff.h"

#include "engine/tree_walker.h"
#include "repo/tree_reader.h"

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

// One name of the merge: its node before, after, or both.
Status DiffNodes(const repo::Repository& repo, const Node* o, const Node* n, const std::string& prefix,
                 std::vector<Change>& out);

// Merges the two directories' node streams by name, a page of each at a time.
Status Diff(const repo::Repository& repo, const Id& before, const Id& after, const std::string& prefix,
            std::vector<Change>& out) {
  if (before == after) return OkStatus();
  ASSIGN_OR_RETURN(repo::TreeReader a, repo::TreeReader::Open(repo, before));
  ASSIGN_OR_RETURN(repo::TreeReader b, repo::TreeReader::Open(repo, after));
  Node old_node, new_node;
  ASSIGN_OR_RETURN(bool has_old, a.Next(old_node));
  ASSIGN_OR_RETURN(bool has_new, b.Next(new_node));
  while (has_old || has_new) {
    if (has_old && (!has_new || old_node.name < new_node.name)) {
      RETURN_IF_ERROR(DiffNodes(repo, &old_node, nullptr, prefix, out));
      ASSIGN_OR_RETURN(has_old, a.Next(old_node));
    } else if (has_new && (!has_old || new_node.name < old_node.name)) {
      RETURN_IF_ERROR(DiffNodes(repo, nullptr, &new_node, prefix, out));
      ASSIGN_OR_RETURN(has_new, b.Next(new_node));
    } else {
      RETURN_IF_ERROR(DiffNodes(repo, &old_node, &new_node, prefix, out));
      ASSIGN_OR_RETURN(has_old, a.Next(old_node));
      ASSIGN_OR_RETURN(has_new, b.Next(new_node));
    }
  }
  return OkStatus();
}

Status DiffNodes(const repo::Repository& repo, const Node* o, const Node* n, const std::string& prefix,
                 std::vector<Change>& out) {
  const std::string& name = o ? o->name : n->name;
  std::string path = prefix.empty() ? name : prefix + "/" + name;
  if (n == nullptr) return AddAll(repo, *o, path, '-', out);
  if (o == nullptr) return AddAll(repo, *n, path, '+', out);
  if (o->type != n->type) {
    out.push_back({'T', path});
    return OkStatus();
  }
  if (n->type == NodeType::kDirectory) {
    if (!SameMetadata(*o, *n)) out.push_back({'U', path});
    return Diff(repo, o->subtree, n->subtree, path, out);
  }
  if (o->content != n->content || o->size != n->size) {
    out.push_back({'M', path});
  } else if (!SameMetadata(*o, *n)) {
    out.push_back({'U', path});
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
