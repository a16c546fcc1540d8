// The in-memory index: where every blob of the repository is.
//
// Built from all index files at open, then extended as packs are uploaded.
// Thread safety: all methods may be called concurrently.
#pragma once

#include <functional>
#include <optional>
#include <shared_mutex>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/id.h"
#include "repo/index_file.h"

namespace arkiv::repo {

struct BlobLocation {
  Id pack;
  uint64_t pack_size = 0;
  BlobEntry entry;
};

class Index {
 public:
  void AddPack(const IndexedPack& pack);
  std::optional<BlobLocation> Find(const Id& blob) const;
  bool Has(const Id& blob) const;
  size_t BlobCount() const;
  size_t PackCount() const;

  // Calls fn for every indexed pack (a snapshot of the current state) with
  // all of its blobs in pack order, including blobs that another pack holds
  // too (Find returns the copy indexed first).
  void ForEachPack(const std::function<void(const IndexedPack&)>& fn) const;
  std::optional<uint64_t> PackSize(const Id& pack) const;

  void Clear();

  // Which index files were loaded (prune supersedes them).
  void AddLoadedFile(const Id& id);
  std::vector<Id> LoadedFiles() const;

 private:
  struct Location {
    uint32_t pack;  // into packs_
    BlobEntry entry;
  };
  mutable std::shared_mutex mutex_;
  std::vector<IndexedPack> packs_;  // blobs[] left empty: they live in blobs_
  std::unordered_map<Id, uint32_t, IdHash> pack_slots_;
  std::unordered_map<Id, Location, IdHash> blobs_;
  std::vector<Location> duplicates_;  // blobs also held by an earlier pack
  std::vector<Id> loaded_files_;
};

}  // namespace arkiv::repo
