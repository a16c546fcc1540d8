// Tree packs read in blocks. Loading a tree reads the 1 MiB blocks of its
// pack that hold it, with two blocks before and one after, and keeps them:
// the trees later found in held blocks are opened from memory instead of
// with a request each.
//
// Why those blocks: a backup stores a directory's subtrees just before the
// directory's own tree (children are finished first), while every reader —
// restore, the parent walk of a backup, ls, check, prune — reads the
// directory first and its subtrees after, in name order. The blocks before a
// directory hold the subtrees under it; the block after serves the next
// sibling. Blocks are aligned, held once, and a tree spanning a held block
// and one not held takes its bytes from both: no byte of a pack is read
// twice while it is held (design.md §9.2).
//
// Sealed bytes are held, not plaintext: every blob is still authenticated
// when it is opened, and blocks that gave a damaged blob are dropped (the
// caller reads that blob alone, maybe from another copy). Thread safe;
// bounded in bytes, least recently used first out.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>

#include "core/bytes.h"
#include "core/id.h"

namespace arkiv::repo {

class TreeBlockCache {
 public:
  static constexpr uint64_t kBlockBytes = 1 << 20;
  static constexpr uint64_t kBlocksBefore = 2;
  static constexpr uint64_t kBlocksAfter = 1;
  static constexpr uint64_t kDefaultCapacityBytes = 16 << 20;

  explicit TreeBlockCache(uint64_t capacity_bytes = kDefaultCapacityBytes) : capacity_(capacity_bytes) {}

  // The bytes [offset, offset + length) of `pack` if every block holding
  // them is held (copied when they span blocks).
  std::optional<Bytes> Find(const Id& pack, uint64_t offset, uint64_t length);
  bool Holds(const Id& pack, uint64_t block);
  // Holds `bytes`, the pack's bytes from `start`, a multiple of kBlockBytes,
  // cut into blocks (the last may be short: the end of the pack).
  void Add(const Id& pack, uint64_t start, ByteView bytes);
  // Forgets the blocks of `pack` holding [offset, offset + length).
  void Drop(const Id& pack, uint64_t offset, uint64_t length);

  uint64_t bytes_held() const;

 private:
  struct Block {
    Id pack;
    uint64_t number;
    std::shared_ptr<const Bytes> bytes;
  };
  std::list<Block>::iterator FindLocked(const Id& pack, uint64_t number);

  const uint64_t capacity_;
  mutable std::mutex mutex_;
  std::list<Block> blocks_;  // most recently used first
  uint64_t bytes_ = 0;
};

}  // namespace arkiv::repo
