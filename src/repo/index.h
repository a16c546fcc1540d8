// The in-memory index: where every blob of the repository is.
//
// Built from all index files at open, then extended as packs are uploaded.
// Compact (docs/design.md §8, ~45 bytes per blob): one fixed 40-byte record
// per blob in pack order (id, length, raw length, type, compression), the
// offset implied by the lengths before it in its pack; a 4-byte array of
// record positions sorted by blob id for lookups; packs added after that
// array was built wait in a small hash "delta" until it grows past 1/16 of
// the array, when the array is rebuilt.
//
// A record's *position* (0 … RecordCount()-1, in the order packs were added)
// is stable until Clear(): prune and check keep per-blob state in bitmaps
// over positions instead of sets of ids. Positions are 32-bit: an index holds
// fewer than 2^32 blob records (~170 GiB of index memory before that).
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "core/id.h"
#include "repo/index_file.h"

namespace arkiv::repo {

struct BlobLocation {
  Id pack;
  uint64_t pack_size = 0;
  BlobEntry entry;
};

struct PackInfo {
  Id id;
  uint64_t size = 0;   // whole pack, header included
  uint32_t first = 0;  // position of its first blob record
  uint32_t count = 0;  // blob records, duplicates included
  BlobType type = BlobType::kData;  // of its blobs (a pack holds one type)
};

class Index {
 public:
  Index();
  ~Index();
  Index(const Index&) = delete;
  Index& operator=(const Index&) = delete;

  void AddPack(const IndexedPack& pack);
  std::optional<BlobLocation> Find(const Id& blob) const;
  bool Has(const Id& blob) const;
  size_t BlobCount() const;  // distinct blobs
  size_t PackCount() const;
  size_t RecordCount() const;  // blob records, a blob in two packs counted twice

  // Calls fn for every indexed pack (those indexed when the call began) with
  // all of its blobs in pack order, including blobs that another pack holds
  // too (Find returns the copy indexed first). Builds one pack at a time and
  // holds no lock while fn runs, so fn may use the index.
  void ForEachPack(const std::function<void(const IndexedPack&)>& fn) const;
  std::optional<uint64_t> PackSize(const Id& pack) const;

  // Positional access (slot: 0 … PackCount()-1 in the order packs were added).
  PackInfo Pack(uint32_t slot) const;
  IndexedPack PackWithBlobs(uint32_t slot) const;
  BlobEntry Entry(uint32_t position) const;
  // The position of the copy Find returns.
  std::optional<uint32_t> Position(const Id& blob) const;
  // The position of the copy Find returns for the blob of record `position`
  // (itself unless another pack indexed earlier holds the blob too).
  uint32_t Canonical(uint32_t position) const;

  // Heap bytes held (records, lookup arrays, packs), for tests and benches.
  size_t MemoryBytes() const;

  void Clear();

  // Which index files were loaded (prune supersedes them).
  void AddLoadedFile(const Id& id);
  std::vector<Id> LoadedFiles() const;

  // Records live in blocks of this many, so growing never copies them.
  static constexpr uint32_t kBlockBits = 14;
  // Every kOffsetStride-th record keeps its offset: finding an offset costs
  // at most kOffsetStride-1 additions.
  static constexpr uint32_t kOffsetStride = 32;

 private:
  struct Record;
  class PositionTable;
  struct Lookup;

  const Record& At(uint32_t position) const;
  uint32_t SlotOf(uint32_t position) const;
  uint32_t OffsetOf(uint32_t position, uint32_t first) const;
  BlobEntry EntryAt(uint32_t position, uint32_t offset) const;
  IndexedPack BuildPackLocked(const PackInfo& info) const;
  std::optional<uint32_t> FindLocked(const Id& blob) const;
  void IndexTailLocked() const;
  void RebuildLocked() const;
  // Runs fn under a shared lock once every record is in the lookup.
  template <class Fn>
  auto Read(Fn fn) const;

  mutable std::shared_mutex mutex_;
  std::vector<std::unique_ptr<Record[]>> blocks_;
  uint32_t records_ = 0;
  std::vector<uint32_t> checkpoints_;                 // offset of every kOffsetStride-th record
  std::unordered_map<uint32_t, uint32_t> irregular_;  // offsets not implied (gaps; never from index files)
  std::vector<PackInfo> packs_;
  std::unique_ptr<PositionTable> pack_slots_;  // slots keyed by pack id
  std::unique_ptr<Lookup> lookup_;             // mutable: queries finish it lazily
  std::vector<Id> loaded_files_;
};

}  // namespace arkiv::repo
