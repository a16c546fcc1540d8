// Writes one directory's tree from its nodes in name order, holding at most
// one page of nodes: a directory that fits one page becomes one plain tree
// blob (the same bytes as before pages existed), a larger one a page per
// TreeLimits::page_nodes nodes (or page_bytes of JSON) and a page list.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/id.h"
#include "core/status.h"
#include "repo/tree.h"

namespace arkiv::repo {

class TreeWriter {
 public:
  // Stores one tree blob (a page, a plain tree or a page list); returns its id.
  using SaveFn = std::function<Result<Id>(const Bytes& tree_blob)>;

  TreeWriter(SaveFn save, const TreeLimits& limits = {});

  // A node equal to node `index` of the `count` nodes of a stored tree blob
  // `page` (a page, or a plain tree): a page made of exactly those nodes, in
  // order, has its bytes, so its id is reused without serializing and
  // storing it again. The caller checks that `page` is in the index.
  struct Origin {
    Id page;
    size_t index = 0;
    size_t count = 0;
  };

  // `node.name` must sort after every name added before (kInvalidArgument
  // otherwise): the caller lists the directory in name order.
  Status Add(Node node, const std::optional<Origin>& origin = std::nullopt);
  // Stores what is left and returns the directory's tree id. Once only.
  Result<Id> Finish();

  size_t nodes_added() const { return nodes_added_; }
  // The pages stored so far (empty while the directory fits one page).
  const std::vector<Id>& pages() const { return pages_; }

 private:
  Status FlushPage();
  // Stores page_ (or reuses its origin's id).
  Result<Id> SavePage();

  SaveFn save_;
  TreeLimits limits_;
  Tree page_;
  // Set while every node of page_ came, in order, from the start of one
  // earlier page.
  std::optional<Origin> origin_;
  size_t page_bytes_ = 0;
  std::vector<Id> pages_;
  std::string last_name_;
  size_t nodes_added_ = 0;
};

}  // namespace arkiv::repo
