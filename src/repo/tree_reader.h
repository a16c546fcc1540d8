// Reads one directory's nodes in name order, a page at a time: a plain tree
// blob is one page, a paged directory (repo/tree.h, PageList) loads its
// pages one by one as Next reaches them. Memory: one page of nodes and the
// page ids.
//
// Every page is checked as it is read: a page that is itself a page list
// (also a list naming itself), an empty page, or names out of order, within
// a page or across two (overlapping or unsorted ranges), fail with
// kDataLoss naming the tree and the page; a page in no index fails with its
// load error (kNotFound), also named.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/id.h"
#include "core/status.h"
#include "repo/repository.h"
#include "repo/tree.h"

namespace arkiv::repo {

class TreeReader {
 public:
  // Loads tree `id` (for a paged directory, its page list; the first page
  // is loaded by the first Next).
  static Result<TreeReader> Open(const Repository& repo, const Id& id);

  // Moves the next node into `out`; false at the end.
  Result<bool> Next(Node& out);

  // Where the node the last Next returned was: its page (an index into
  // pages(); 0 for a plain tree), its index in that page, the page's size.
  struct Position {
    size_t page = 0;
    size_t index = 0;
    size_t count = 0;
  };
  Position position() const { return {paged() ? next_page_ - 1 : 0, next_node_ - 1, nodes_.size()}; }

  const Id& id() const { return id_; }
  // The page blobs (empty for a plain tree): blobs the directory uses
  // besides its own, for prune and check.
  const std::vector<Id>& pages() const { return pages_; }
  bool paged() const { return !pages_.empty(); }

 private:
  TreeReader(const Repository& repo, const Id& id) : repo_(&repo), id_(id) {}
  Status LoadPage(size_t index);

  const Repository* repo_;
  Id id_;
  std::vector<Id> pages_;
  size_t next_page_ = 0;
  std::vector<Node> nodes_;  // the current page
  size_t next_node_ = 0;
  std::optional<std::string> last_name_;
};

// Every node of tree `id`, in name order (tests and small trees).
Result<std::vector<Node>> ReadAllNodes(const Repository& repo, const Id& id);

}  // namespace arkiv::repo
