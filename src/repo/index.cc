#include "repo/index.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <mutex>

namespace arkiv::repo {
namespace {

using IdBytes = std::array<uint8_t, Id::kSize>;

constexpr uint32_t kBlockSize = 1u << Index::kBlockBits;
constexpr uint32_t kBlockMask = kBlockSize - 1;
// The lookup's skip table splits the sorted array by the ids' first 16 bits.
constexpr size_t kPrefixes = 1u << 16;
// The delta never has to stay smaller than this (a fresh index).
constexpr size_t kMinDelta = 4096;
constexpr uint32_t kRawLengthMask = (1u << 30) - 1;  // kMaxBlobSize needs 28 bits

uint32_t Prefix(const IdBytes& id) { return (uint32_t{id[0]} << 8) | id[1]; }

bool Less(const IdBytes& a, const IdBytes& b) { return std::memcmp(a.data(), b.data(), Id::kSize) < 0; }

uint64_t Hash(const IdBytes& id) {
  // Ids are digests, but tests use ids that differ in one byte: mix all of it.
  std::array<uint64_t, 4> w{};
  std::memcpy(w.data(), id.data(), Id::kSize);
  uint64_t h = w[0] ^ (w[1] * 0x9e3779b97f4a7c15ull) ^ (w[2] * 0xc2b2ae3d27d4eb4full) ^ (w[3] * 0x165667b19e3779f9ull);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

}  // namespace

struct Index::Record {
  IdBytes id;
  uint32_t length;
  uint32_t bits;  // raw_length (30 bits) | type << 30 | compression << 31
};

// An open-addressing set of uint32 values (record positions or pack slots),
// 4 bytes a slot: the id of a value is looked up through `id_of`, not stored.
class Index::PositionTable {
 public:
  template <class IdOf>
  std::optional<uint32_t> Find(const IdBytes& id, IdOf id_of) const {
    if (slots_.empty()) return std::nullopt;
    size_t mask = slots_.size() - 1;
    for (size_t i = Hash(id) & mask;; i = (i + 1) & mask) {
      uint32_t v = slots_[i];
      if (v == 0) return std::nullopt;
      if (id_of(v - 1) == id) return v - 1;
    }
  }
  template <class IdOf>
  void Insert(uint32_t value, const IdBytes& id, IdOf id_of) {
    if ((size_ + 1) * 2 > slots_.size()) {
      std::vector<uint32_t> old = std::exchange(slots_, std::vector<uint32_t>(std::max<size_t>(16, slots_.size() * 2)));
      for (uint32_t v : old) {
        if (v != 0) Place(v - 1, id_of(v - 1));
      }
    }
    Place(value, id);
    size_++;
  }
  size_t size() const { return size_; }
  void Clear() {
    slots_ = {};
    size_ = 0;
  }
  size_t MemoryBytes() const { return slots_.capacity() * sizeof(uint32_t); }

 private:
  void Place(uint32_t value, const IdBytes& id) {
    size_t mask = slots_.size() - 1;
    size_t i = Hash(id) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = value + 1;  // 0 marks an empty slot
  }
  std::vector<uint32_t> slots_;
  size_t size_ = 0;
};

// Finding a blob by id. Records [0, indexed) are each either in `sorted`, in
// `delta`, or marked duplicate (another record of the same id comes first).
struct Index::Lookup {
  uint32_t indexed = 0;
  std::vector<uint32_t> sorted;  // positions by (id, position), one per id
  std::vector<uint32_t> skip;    // kPrefixes+1 bounds into `sorted`, by Prefix
  PositionTable delta;           // positions indexed since `sorted` was built
  std::vector<uint64_t> duplicate;
  size_t duplicates = 0;

  size_t DeltaLimit() const { return std::max(kMinDelta, sorted.size() / 16); }
  bool IsDuplicate(uint32_t position) const {
    size_t word = position / 64;
    return word < duplicate.size() && ((duplicate[word] >> (position % 64)) & 1u) != 0;
  }
  void MarkDuplicate(uint32_t position) {
    if (duplicate.size() <= position / 64) duplicate.resize(position / 64 + 1);
    duplicate[position / 64] |= uint64_t{1} << (position % 64);
    duplicates++;
  }
};

Index::Index() : pack_slots_(std::make_unique<PositionTable>()), lookup_(std::make_unique<Lookup>()) {}
Index::~Index() = default;

const Index::Record& Index::At(uint32_t position) const { return blocks_[position >> kBlockBits][position & kBlockMask]; }

uint32_t Index::SlotOf(uint32_t position) const {
  auto it = std::upper_bound(packs_.begin(), packs_.end(), position,
                             [](uint32_t p, const PackInfo& pack) { return p < pack.first; });
  return static_cast<uint32_t>(it - packs_.begin() - 1);
}

uint32_t Index::OffsetOf(uint32_t position, uint32_t first) const {
  // Walk from the nearest stored offset at or after the pack's first blob.
  uint32_t i = std::max(position & ~(kOffsetStride - 1), first);
  uint64_t offset = 0;
  if (i % kOffsetStride == 0) {
    offset = checkpoints_[i / kOffsetStride];
  } else if (auto it = irregular_.find(i); it != irregular_.end()) {
    offset = it->second;
  }
  for (; i < position; ++i) {
    offset += At(i).length;
    if (!irregular_.empty()) {
      if (auto it = irregular_.find(i + 1); it != irregular_.end()) offset = it->second;
    }
  }
  return static_cast<uint32_t>(offset);
}

BlobEntry Index::EntryAt(uint32_t position, uint32_t offset) const {
  const Record& r = At(position);
  BlobEntry e;
  e.id = Id(r.id);
  e.type = static_cast<BlobType>((r.bits >> 30) & 1u);
  e.compression = static_cast<codec::Compression>(r.bits >> 31);
  e.offset = offset;
  e.length = r.length;
  e.raw_length = r.bits & kRawLengthMask;
  return e;
}

void Index::AddPack(const IndexedPack& pack) {
  static_assert(sizeof(Record) == 40, "a blob record is 40 bytes");
  std::unique_lock lock(mutex_);
  auto pack_id = [this](uint32_t slot) -> const IdBytes& { return packs_[slot].id.bytes(); };
  if (pack_slots_->Find(pack.id.bytes(), pack_id)) return;  // the same pack listed by two index files
  const uint32_t first = records_;
  auto slot = static_cast<uint32_t>(packs_.size());
  BlobType type = pack.blobs.empty() ? BlobType::kData : pack.blobs.front().type;
  packs_.push_back(PackInfo{pack.id, pack.size, first, static_cast<uint32_t>(pack.blobs.size()), type});
  pack_slots_->Insert(slot, pack.id.bytes(), pack_id);

  // Records go in offset order (index files and pack writers list blobs so;
  // a caller's hand-made pack may not).
  std::vector<const BlobEntry*> ordered;
  ordered.reserve(pack.blobs.size());
  for (const auto& blob : pack.blobs) ordered.push_back(&blob);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const BlobEntry* a, const BlobEntry* b) { return a->offset < b->offset; });
  uint64_t implied = 0;
  for (const BlobEntry* blob : ordered) {
    uint32_t position = records_;
    if ((position >> kBlockBits) == blocks_.size()) blocks_.push_back(std::make_unique_for_overwrite<Record[]>(kBlockSize));
    Record& r = blocks_[position >> kBlockBits][position & kBlockMask];
    r.id = blob->id.bytes();
    r.length = blob->length;
    r.bits = (blob->raw_length & kRawLengthMask) | (static_cast<uint32_t>(blob->type) << 30) |
             (static_cast<uint32_t>(blob->compression) << 31);
    // Index files store no offsets, so packs read from them have no gaps;
    // only a hand-made pack needs its offsets kept.
    if (blob->offset != implied) irregular_[position] = blob->offset;
    if (position % kOffsetStride == 0) checkpoints_.push_back(blob->offset);
    implied = uint64_t{blob->offset} + blob->length;
    records_++;
  }
  // Into the delta while it stays small; otherwise the next query rebuilds.
  if (lookup_->indexed == first && lookup_->delta.size() + (records_ - first) <= lookup_->DeltaLimit()) {
    IndexTailLocked();
  }
}

void Index::IndexTailLocked() const {
  Lookup& l = *lookup_;
  if (l.delta.size() + (records_ - l.indexed) > l.DeltaLimit()) {
    RebuildLocked();
    return;
  }
  auto record_id = [this](uint32_t position) -> const IdBytes& { return At(position).id; };
  for (; l.indexed < records_; ++l.indexed) {
    uint32_t position = l.indexed;
    if (FindLocked(Id(At(position).id))) {
      l.MarkDuplicate(position);
    } else {
      l.delta.Insert(position, At(position).id, record_id);
    }
  }
}

void Index::RebuildLocked() const {
  Lookup& l = *lookup_;
  l.sorted = {};  // freed before the new array is made: peak is one array
  l.delta.Clear();
  l.duplicate.assign((records_ + 63) / 64, 0);
  l.duplicates = 0;
  // Counting sort by the first 16 bits of the id (positions stay ascending
  // in each bucket), then each small bucket sorted by (id, position).
  std::vector<uint32_t> bounds(kPrefixes + 1, 0);
  for (uint32_t p = 0; p < records_; ++p) bounds[Prefix(At(p).id) + 1]++;
  for (size_t b = 0; b < kPrefixes; ++b) bounds[b + 1] += bounds[b];
  std::vector<uint32_t> sorted(records_);
  {
    std::vector<uint32_t> fill(bounds.begin(), bounds.end() - 1);
    for (uint32_t p = 0; p < records_; ++p) sorted[fill[Prefix(At(p).id)]++] = p;
  }
  l.skip.assign(kPrefixes + 1, 0);
  size_t out = 0;
  for (size_t b = 0; b < kPrefixes; ++b) {
    auto begin = sorted.begin() + bounds[b], end = sorted.begin() + bounds[b + 1];
    std::sort(begin, end, [this](uint32_t x, uint32_t y) {
      int c = std::memcmp(At(x).id.data(), At(y).id.data(), Id::kSize);
      return c < 0 || (c == 0 && x < y);
    });
    l.skip[b] = static_cast<uint32_t>(out);
    for (auto it = begin; it != end; ++it) {
      // The first copy indexed (lowest position) is the one lookups use.
      if (out > l.skip[b] && At(sorted[out - 1]).id == At(*it).id) {
        l.MarkDuplicate(*it);
      } else {
        sorted[out++] = *it;
      }
    }
  }
  l.skip[kPrefixes] = static_cast<uint32_t>(out);
  sorted.resize(out);
  l.sorted = std::move(sorted);
  l.indexed = records_;
}

std::optional<uint32_t> Index::FindLocked(const Id& blob) const {
  const Lookup& l = *lookup_;
  const IdBytes& key = blob.bytes();
  if (!l.sorted.empty()) {
    uint32_t prefix = Prefix(key);
    auto begin = l.sorted.begin() + l.skip[prefix], end = l.sorted.begin() + l.skip[prefix + 1];
    auto it = std::lower_bound(begin, end, key, [this](uint32_t p, const IdBytes& k) { return Less(At(p).id, k); });
    if (it != end && At(*it).id == key) return *it;
  }
  return l.delta.Find(key, [this](uint32_t position) -> const IdBytes& { return At(position).id; });
}

template <class Fn>
auto Index::Read(Fn fn) const {
  {
    std::shared_lock lock(mutex_);
    if (lookup_->indexed == records_) return fn();
  }
  std::unique_lock lock(mutex_);
  if (lookup_->indexed != records_) IndexTailLocked();
  return fn();
}

std::optional<BlobLocation> Index::Find(const Id& blob) const {
  return Read([&]() -> std::optional<BlobLocation> {
    auto position = FindLocked(blob);
    if (!position) return std::nullopt;
    const PackInfo& pack = packs_[SlotOf(*position)];
    return BlobLocation{pack.id, pack.size, EntryAt(*position, OffsetOf(*position, pack.first))};
  });
}

bool Index::Has(const Id& blob) const {
  return Read([&] { return FindLocked(blob).has_value(); });
}

std::optional<uint32_t> Index::Position(const Id& blob) const {
  return Read([&] { return FindLocked(blob); });
}

uint32_t Index::Canonical(uint32_t position) const {
  return Read([&] {
    if (!lookup_->IsDuplicate(position)) return position;
    return *FindLocked(Id(At(position).id));
  });
}

size_t Index::BlobCount() const {
  return Read([&] { return records_ - lookup_->duplicates; });
}

size_t Index::PackCount() const {
  std::shared_lock lock(mutex_);
  return packs_.size();
}

size_t Index::RecordCount() const {
  std::shared_lock lock(mutex_);
  return records_;
}

PackInfo Index::Pack(uint32_t slot) const {
  std::shared_lock lock(mutex_);
  return packs_.at(slot);
}

IndexedPack Index::PackWithBlobs(uint32_t slot) const {
  std::shared_lock lock(mutex_);
  return BuildPackLocked(packs_.at(slot));
}

IndexedPack Index::BuildPackLocked(const PackInfo& info) const {
  IndexedPack pack{info.id, info.size, {}};
  pack.blobs.reserve(info.count);
  uint64_t offset = 0;
  for (uint32_t p = info.first; p < info.first + info.count; ++p) {
    if (!irregular_.empty()) {
      if (auto it = irregular_.find(p); it != irregular_.end()) offset = it->second;
    }
    pack.blobs.push_back(EntryAt(p, static_cast<uint32_t>(offset)));
    offset += At(p).length;
  }
  return pack;
}

BlobEntry Index::Entry(uint32_t position) const {
  std::shared_lock lock(mutex_);
  return EntryAt(position, OffsetOf(position, packs_[SlotOf(position)].first));
}

void Index::ForEachPack(const std::function<void(const IndexedPack&)>& fn) const {
  size_t count = PackCount();
  for (size_t slot = 0; slot < count; ++slot) {
    IndexedPack pack;
    {
      std::shared_lock lock(mutex_);
      if (slot >= packs_.size()) return;  // cleared meanwhile
      pack = BuildPackLocked(packs_[slot]);
    }
    fn(pack);
  }
}

std::optional<uint64_t> Index::PackSize(const Id& pack) const {
  std::shared_lock lock(mutex_);
  auto slot = pack_slots_->Find(pack.bytes(), [this](uint32_t s) -> const IdBytes& { return packs_[s].id.bytes(); });
  if (!slot) return std::nullopt;
  return packs_[*slot].size;
}

size_t Index::MemoryBytes() const {
  std::shared_lock lock(mutex_);
  const Lookup& l = *lookup_;
  size_t bytes = blocks_.size() * kBlockSize * sizeof(Record) + blocks_.capacity() * sizeof(blocks_[0]);
  bytes += checkpoints_.capacity() * sizeof(uint32_t) + packs_.capacity() * sizeof(PackInfo);
  bytes += irregular_.size() * (sizeof(void*) * 2 + sizeof(uint64_t)) + irregular_.bucket_count() * sizeof(void*);
  bytes += pack_slots_->MemoryBytes() + loaded_files_.capacity() * sizeof(Id);
  bytes += (l.sorted.capacity() + l.skip.capacity()) * sizeof(uint32_t) + l.delta.MemoryBytes();
  bytes += l.duplicate.capacity() * sizeof(uint64_t);
  return bytes;
}

void Index::Clear() {
  std::unique_lock lock(mutex_);
  std::vector<std::unique_ptr<Record[]>>().swap(blocks_);
  records_ = 0;
  checkpoints_ = {};
  irregular_ = {};
  packs_ = {};
  pack_slots_ = std::make_unique<PositionTable>();
  lookup_ = std::make_unique<Lookup>();
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
