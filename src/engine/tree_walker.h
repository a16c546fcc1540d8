// Depth-first walks over snapshot trees, for ls, check, prune and diff.
// Trees are streamed (repo/tree_reader.h): a walk holds one page of nodes
// per directory level, however large the directories.
#pragma once

#include <functional>
#include <string>

#include "repo/repository.h"

namespace arkiv::engine {

// Calls `fn(path, node)` for every node below `tree` in name order; `path`
// is relative to the tree ("dir/file"). Directories are visited before their
// contents; `fn` returning false skips a directory's contents. A tree that
// cannot be loaded, or a page of it, is passed to `on_error` (if given; else
// the walk fails); the nodes before a bad page have been visited.
// `on_pages(path, pages)`, if given, gets the page blobs of every paged
// directory walked (`tree` itself included), before its nodes: they are
// blobs the snapshot uses besides the subtree ids of the nodes.
Status WalkTree(const repo::Repository& repo, const Id& tree, const std::string& prefix,
                const std::function<bool(const std::string& path, const repo::Node& node)>& fn,
                const std::function<void(const std::string& path, const Error& error)>& on_error = nullptr,
                const std::function<void(const std::string& path, const std::vector<Id>& pages)>& on_pages = nullptr);

// Finds the node at `path` ("a/b/c") below `tree`; kNotFound if absent.
Result<repo::Node> FindNode(const repo::Repository& repo, const Id& tree, const std::string& path);

}  // namespace arkiv::engine
