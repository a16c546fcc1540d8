#include "repo/index.h"

#include <algorithm>
#include <mutex>

namespace arkiv::repo {

void Index::AddPack(const IndexedPack& pack) {
  std::unique_lock lock(mutex_);
  auto [it, inserted] = pack_slots_.try_emplace(pack.id, static_cast<uint32_t>(packs_.size()));
  if (!inserted) return;  // the same pack listed by two index files
  packs_.push_back(IndexedPack{pack.id, pack.size, {}});
  for (const auto& blob : pack.blobs) {
    // Lookups use the first copy; the pack still lists the others.
    if (!blobs_.try_emplace(blob.id, Location{it->second, blob}).second) duplicates_.push_back({it->second, blob});
  }
}

std::optional<BlobLocation> Index::Find(const Id& blob) const {
  std::shared_lock lock(mutex_);
  auto it = blobs_.find(blob);
  if (it == blobs_.end()) return std::nullopt;
  const auto& pack = packs_[it->second.pack];
  return BlobLocation{pack.id, pack.size, it->second.entry};
}

bool Index::Has(const Id& blob) const {
  std::shared_lock lock(mutex_);
  return blobs_.contains(blob);
}

size_t Index::BlobCount() const {
  std::shared_lock lock(mutex_);
  return blobs_.size();
}

size_t Index::PackCount() const {
  std::shared_lock lock(mutex_);
  return packs_.size();
}

void Index::ForEachPack(const std::function<void(const IndexedPack&)>& fn) const {
  std::vector<IndexedPack> packs;
  {
    std::shared_lock lock(mutex_);
    packs = packs_;
    for (const auto& [id, location] : blobs_) packs[location.pack].blobs.push_back(location.entry);
    for (const auto& location : duplicates_) packs[location.pack].blobs.push_back(location.entry);
  }
  for (auto& pack : packs) {
    std::sort(pack.blobs.begin(), pack.blobs.end(),
              [](const BlobEntry& a, const BlobEntry& b) { return a.offset < b.offset; });
    fn(pack);
  }
}

std::optional<uint64_t> Index::PackSize(const Id& pack) const {
  std::shared_lock lock(mutex_);
  auto it = pack_slots_.find(pack);
  if (it == pack_slots_.end()) return std::nullopt;
  return packs_[it->second].size;
}

void Index::Clear() {
  std::unique_lock lock(mutex_);
  packs_.clear();
  pack_slots_.clear();
  blobs_.clear();
  duplicates_.clear();
  loaded_files_.clear();
}

void Index::AddLoadedFile(const Id& id) {
  std::unique_lock lock(mutex_);
  loaded_files_.push_back(id);
}

std::vector<Id> Index::LoadedFiles() const {
  std::shared_lock lock(mutex_);
  return loaded_files_;
}

}  // namespace arkiv::repo
