#include "repo/tree_block_cache.h"

#include <algorithm>
#include <utility>

namespace arkiv::repo {

std::list<TreeBlockCache::Block>::iterator TreeBlockCache::FindLocked(const Id& pack, uint64_t number) {
  return std::find_if(blocks_.begin(), blocks_.end(),
                      [&](const Block& block) { return block.number == number && block.pack == pack; });
}

std::optional<Bytes> TreeBlockCache::Find(const Id& pack, uint64_t offset, uint64_t length) {
  if (length == 0) return std::nullopt;
  std::lock_guard lock(mutex_);
  const uint64_t end = offset + length;
  Bytes out;
  out.reserve(length);
  for (uint64_t number = offset / kBlockBytes; number <= (end - 1) / kBlockBytes; ++number) {
    auto it = FindLocked(pack, number);
    if (it == blocks_.end()) return std::nullopt;
    blocks_.splice(blocks_.begin(), blocks_, it);
    const uint64_t block_start = number * kBlockBytes;
    const uint64_t from = std::max(offset, block_start) - block_start;
    const uint64_t to = std::min(end, block_start + it->bytes->size());
    if (to <= block_start + from) return std::nullopt;  // a short last block ends before the range
    out.insert(out.end(), it->bytes->begin() + static_cast<ptrdiff_t>(from),
               it->bytes->begin() + static_cast<ptrdiff_t>(to - block_start));
  }
  if (out.size() != length) return std::nullopt;
  return out;
}

bool TreeBlockCache::Holds(const Id& pack, uint64_t block) {
  std::lock_guard lock(mutex_);
  return FindLocked(pack, block) != blocks_.end();
}

void TreeBlockCache::Add(const Id& pack, uint64_t start, ByteView bytes) {
  std::lock_guard lock(mutex_);
  for (uint64_t at = 0; at < bytes.size(); at += kBlockBytes) {
    const uint64_t number = (start + at) / kBlockBytes;
    auto piece = bytes.subspan(at, std::min<uint64_t>(kBlockBytes, bytes.size() - at));
    if (auto it = FindLocked(pack, number); it != blocks_.end()) {
      bytes_ -= it->bytes->size();
      blocks_.erase(it);
    }
    bytes_ += piece.size();
    blocks_.push_front(Block{pack, number, std::make_shared<const Bytes>(piece.begin(), piece.end())});
  }
  while (bytes_ > capacity_ && !blocks_.empty()) {
    bytes_ -= blocks_.back().bytes->size();
    blocks_.pop_back();
  }
}

void TreeBlockCache::Drop(const Id& pack, uint64_t offset, uint64_t length) {
  std::lock_guard lock(mutex_);
  const uint64_t last = (offset + std::max<uint64_t>(length, 1) - 1) / kBlockBytes;
  for (uint64_t number = offset / kBlockBytes; number <= last; ++number) {
    if (auto it = FindLocked(pack, number); it != blocks_.end()) {
      bytes_ -= it->bytes->size();
      blocks_.erase(it);
    }
  }
}

uint64_t TreeBlockCache::bytes_held() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

}  // namespace arkiv::repo
