// Trees: one directory's entries, stored as a tree blob (JSON).
//
// {"nodes":[{...},...]} with nodes sorted by name bytes. Names and symlink
// targets are arbitrary bytes: stored as "name" when valid UTF-8, else as
// "name_b64". See docs/design.md, "Trees", for every field.
//
// A directory too large for one page is stored as pages: ordinary tree
// blobs of consecutive name ranges, listed in order by the directory's own
// blob, {"pages":[id,...]} (PageList). Tree::Parse refuses a page list, as
// the readers from before pages did; repo/tree_reader.h reads both forms.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/bytes.h"
#include "core/id.h"
#include "core/status.h"

namespace arkiv::repo {

enum class NodeType { kFile, kDirectory, kSymlink, kBlockDevice, kCharDevice, kFifo, kSocket };

std::string_view NodeTypeName(NodeType type);

struct Node {
  std::string name;  // raw bytes, never empty, no '/' or NUL, not "." or ".."
  NodeType type = NodeType::kFile;
  uint32_t mode = 0;  // permission bits incl. setuid/setgid/sticky (07777)
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string user;
  std::string group;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  uint64_t inode = 0;
  uint64_t device = 0;  // st_dev, to tell hardlinks apart across filesystems
  uint64_t links = 1;
  uint64_t rdev = 0;     // device nodes
  uint64_t size = 0;     // files
  std::vector<Id> content;  // files: data blob ids in order
  Id subtree;               // directories
  std::string link_target;  // symlinks, raw bytes

  bool operator==(const Node&) const = default;
};

struct Tree {
  std::vector<Node> nodes;

  // Sorts nodes by name; the serialized form is canonical, so equal trees
  // have equal ids.
  Bytes Serialize() const;
  // kDataLoss when malformed, including names that could escape a restore
  // target ('/', NUL, "." or "..", empty) and duplicate names.
  static Result<Tree> Parse(ByteView bytes);
};

// The pages of a large directory, in name order (design.md "Trees").
struct PageList {
  std::vector<Id> pages;

  Bytes Serialize() const;
};

// How large a tree blob may grow before the directory is stored as pages.
// A directory of at most `page_nodes` nodes whose JSON stays within
// `page_bytes` is one plain tree, byte for byte as before pages existed.
struct TreeLimits {
  size_t page_nodes = 4096;
  // Typical nodes take ~250 bytes, so 4,096 of them ~1 MiB; the byte bound
  // cuts pages of files with many chunks.
  size_t page_bytes = size_t{4} << 20;
  // 65,536 pages of 4,096 nodes: 268 million entries, a 4.4 MB page list.
  size_t max_pages = size_t{1} << 16;
};

// Parses either form of a tree blob. A page list must name 2 to
// `limits.max_pages` distinct pages (kDataLoss otherwise).
Result<std::variant<Tree, PageList>> ParseTreeBlob(ByteView bytes, const TreeLimits& limits = {});

// About the bytes `node` adds to a tree blob's JSON, to cut
// pages before they outgrow TreeLimits::page_bytes.
size_t EstimatedJsonSize(const Node& node);

// True if `name` can be created inside a directory without escaping it.
bool IsSafeName(std::string_view name);

}  // namespace arkiv::repo
