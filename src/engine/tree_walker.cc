#include "engine/tree_walker.h"

#include <fmt/format.h>

#include "repo/tree_reader.h"

namespace arkiv::engine {

Status WalkTree(const repo::Repository& repo, const Id& tree, const std::string& prefix,
                const std::function<bool(const std::string&, const repo::Node&)>& fn,
                const std::function<void(const std::string&, const Error&)>& on_error,
                const std::function<void(const std::string&, const std::vector<Id>&)>& on_pages) {
  auto failed = [&](const Error& error) -> Status {
    if (!on_error) return Fail(error.Context(prefix.empty() ? "/" : prefix));
    on_error(prefix, error);
    return OkStatus();
  };
  auto reader = repo::TreeReader::Open(repo, tree);
  if (!reader) return failed(reader.error());
  if (on_pages && reader->paged()) on_pages(prefix, reader->pages());
  repo::Node node;
  while (true) {
    auto more = reader->Next(node);
    if (!more) return failed(more.error());
    if (!*more) break;
    std::string path = prefix.empty() ? node.name : prefix + "/" + node.name;
    bool descend = fn(path, node);
    if (descend && node.type == repo::NodeType::kDirectory) {
      RETURN_IF_ERROR(WalkTree(repo, node.subtree, path, fn, on_error, on_pages));
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
    ASSIGN_OR_RETURN(repo::TreeReader reader, repo::TreeReader::Open(repo, current));
    std::optional<repo::Node> found;
    repo::Node node;
    while (true) {
      ASSIGN_OR_RETURN(bool more, reader.Next(node));
      // Names are in order: past `part`, it is not there.
      if (!more || part < node.name) break;
      if (node.name == part) {
        found = std::move(node);
        break;
      }
    }
    if (!found) return Fail(Code::kNotFound, fmt::format("{:?} is not in the snapshot", path));
    if (slash == std::string::npos) return *found;
    if (found->type != repo::NodeType::kDirectory) {
      return Fail(Code::kNotFound, fmt::format("{:?} is not a directory in the snapshot", path.substr(0, slash)));
    }
    current = found->subtree;
    start = slash + 1;
  }
}

}  // namespace arkiv::engine
