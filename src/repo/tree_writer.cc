#include "repo/tree_writer.h"

#include <fmt/format.h>

namespace arkiv::repo {

TreeWriter::TreeWriter(SaveFn save, const TreeLimits& limits) : save_(std::move(save)), limits_(limits) {}

Status TreeWriter::Add(Node node, const std::optional<Origin>& origin) {
  if (nodes_added_ > 0 && !(last_name_ < node.name)) {
    return Fail(Code::kInvalidArgument, fmt::format("tree node {:?} added after {:?}", node.name, last_name_));
  }
  size_t size = EstimatedJsonSize(node);
  // A page holds at least one node, however large.
  bool full = page_.nodes.size() >= limits_.page_nodes ||
              (!page_.nodes.empty() && page_bytes_ + size > limits_.page_bytes);
  if (full) RETURN_IF_ERROR(FlushPage());
  bool continues = origin && origin->index == page_.nodes.size() &&
                   (page_.nodes.empty() || (origin_ && origin_->page == origin->page && origin_->count == origin->count));
  if (continues) {
    origin_ = origin;
  } else {
    origin_.reset();
  }
  last_name_ = node.name;
  page_.nodes.push_back(std::move(node));
  page_bytes_ += size;
  nodes_added_++;
  return OkStatus();
}

Status TreeWriter::FlushPage() {
  if (pages_.size() >= limits_.max_pages) {
    return Fail(Code::kFailedPrecondition,
                fmt::format("directory has more than {} pages of {} entries; arkiv stores at most that many",
                            limits_.max_pages, limits_.page_nodes));
  }
  ASSIGN_OR_RETURN(Id id, SavePage());
  pages_.push_back(id);
  page_.nodes.clear();
  page_bytes_ = 0;
  origin_.reset();
  return OkStatus();
}

Result<Id> TreeWriter::SavePage() {
  if (origin_ && page_.nodes.size() == origin_->count) return origin_->page;
  return save_(page_.Serialize());
}

Result<Id> TreeWriter::Finish() {
  if (pages_.empty()) return SavePage();
  if (!page_.nodes.empty()) RETURN_IF_ERROR(FlushPage());
  return save_(PageList{pages_}.Serialize());
}

}  // namespace arkiv::repo
