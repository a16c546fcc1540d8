#include "repo/tree_reader.h"

#include <fmt/format.h>

namespace arkiv::repo {

Result<TreeReader> TreeReader::Open(const Repository& repo, const Id& id) {
  TreeReader reader(repo, id);
  std::string context = fmt::format("tree {}", id.Hex());
  ASSIGN_OR_RETURN(Bytes bytes, WithContext(repo.LoadBlob(id), context));
  ASSIGN_OR_RETURN(auto parsed, WithContext(ParseTreeBlob(bytes), context));
  if (auto* tree = std::get_if<Tree>(&parsed)) {
    reader.nodes_ = std::move(tree->nodes);
  } else {
    reader.pages_ = std::move(std::get<PageList>(parsed).pages);
  }
  return reader;
}

Status TreeReader::LoadPage(size_t index) {
  const Id& page = pages_[index];
  std::string context = fmt::format("tree {} page {} of {} ({})", id_.Hex(), index + 1, pages_.size(), page.Hex());
  ASSIGN_OR_RETURN(Bytes bytes, WithContext(repo_->LoadBlob(page), context));
  ASSIGN_OR_RETURN(auto parsed, WithContext(ParseTreeBlob(bytes), context));
  auto* tree = std::get_if<Tree>(&parsed);
  // One level only: a page that lists pages (a cycle back to its own list
  // among them) is refused rather than followed.
  if (tree == nullptr) return Fail(Code::kDataLoss, context + ": the page is itself a page list");
  if (tree->nodes.empty()) return Fail(Code::kDataLoss, context + ": the page is empty");
  nodes_ = std::move(tree->nodes);
  next_node_ = 0;
  return OkStatus();
}

Result<bool> TreeReader::Next(Node& out) {
  while (next_node_ == nodes_.size()) {
    if (next_page_ == pages_.size()) return false;
    RETURN_IF_ERROR(LoadPage(next_page_));
    next_page_++;
  }
  Node& node = nodes_[next_node_++];
  // Merges (backup against its parent, diff) and the page ranges rely on
  // strictly increasing names.
  if (last_name_ && !(*last_name_ < node.name)) {
    std::string where = paged() ? fmt::format("tree {} page {}", id_.Hex(), next_page_) : "tree " + id_.Hex();
    return Fail(Code::kDataLoss, fmt::format("{}: name {:?} follows {:?} (names out of order or pages overlapping)",
                                             where, node.name, *last_name_));
  }
  last_name_ = node.name;
  out = std::move(node);
  return true;
}

Result<std::vector<Node>> ReadAllNodes(const Repository& repo, const Id& id) {
  ASSIGN_OR_RETURN(TreeReader reader, TreeReader::Open(repo, id));
  std::vector<Node> out;
  Node node;
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader.Next(node));
    if (!more) break;
    out.push_back(std::move(node));
  }
  return out;
}

}  // namespace arkiv::repo
