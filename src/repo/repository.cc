#include "repo/repository.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "crypto/keyed_hash.h"
#include "crypto/sha256.h"
#include "repo/pack.h"
#include "repo/prune_marker.h"
#include "repo/sealed_file.h"

namespace arkiv::repo {

Repository::Repository(std::shared_ptr<storage::Store> store, MasterKey key, Id key_id, Config config)
    : store_(std::move(store)), key_(key), key_id_(key_id), config_(std::move(config)) {}

Result<std::unique_ptr<Repository>> Repository::Init(std::shared_ptr<storage::Store> store,
                                                     std::string_view password, const InitOptions& options) {
  if (auto existing = store->Stat(kConfigName); existing) {
    return Fail(Code::kAlreadyExists, fmt::format("{}: a repository already exists here", store->Location()));
  } else if (existing.error().code() != Code::kNotFound) {
    return Fail(existing.error());
  }
  Config config = Config::Create();
  uint64_t seed = config.chunker.seed;
  config.chunker = options.chunker;
  config.chunker.seed = seed;
  config.compression_level = options.compression_level;
  config.pack_size = options.pack_size;
  RETURN_IF_ERROR(config.chunker.Validate());

  MasterKey master = MasterKey::Generate();
  ASSIGN_OR_RETURN(KeyFile key_file, KeyFile::Create(master, password, options.kdf));
  Bytes key_bytes = key_file.Serialize();
  Id key_id = crypto::Sha256(key_bytes);
  // Key first: a config without a key that opens it would be unusable.
  RETURN_IF_ERROR(store->Put(FileName(FileKind::kKey, key_id), key_bytes));
  if (options.clouds) {
    Bytes sealed = SealFile(master, FileKindName(FileKind::kClouds), *options.clouds);
    RETURN_IF_ERROR(store->Put(FileName(FileKind::kClouds, crypto::Sha256(sealed)), sealed));
  }
  RETURN_IF_ERROR(store->Put(kConfigName, SealFile(master, "config", config.Serialize()), storage::PutMode::kCreateOnly));
  return std::unique_ptr<Repository>(new Repository(std::move(store), master, key_id, std::move(config)));
}

Result<std::unique_ptr<Repository>> Repository::Open(std::shared_ptr<storage::Store> store,
                                                     std::string_view password) {
  auto config_bytes = store->Get(kConfigName);
  if (!config_bytes) {
    if (config_bytes.error().code() == Code::kNotFound) {
      return Fail(Code::kRepositoryNotFound, fmt::format("{}: no repository found (run `arkiv init`)", store->Location()));
    }
    // The bucket or container is missing (or "config" is a directory): no
    // repository either, and the store's message says what to create.
    if (config_bytes.error().code() == Code::kFailedPrecondition) {
      return Fail(Code::kRepositoryNotFound, config_bytes.error().message());
    }
    return Fail(config_bytes.error());
  }
  std::vector<Id> key_ids;
  RETURN_IF_ERROR(store->List("keys/", [&](const storage::ObjectInfo& info) {
    if (auto id = IdFromName(info.name)) key_ids.push_back(*id);
    return OkStatus();
  }));
  if (key_ids.empty()) return Fail(Code::kDataLoss, fmt::format("{}: repository has no key files", store->Location()));
  std::optional<Error> last_damage;
  for (const Id& id : key_ids) {
    std::string name = FileName(FileKind::kKey, id);
    ASSIGN_OR_RETURN(Bytes bytes, store->Get(name));
    auto key_file = KeyFile::Parse(bytes);
    if (!key_file) {
      last_damage = key_file.error().Context(fmt::format("{}: {}", store->Location(), name));
      continue;
    }
    auto master = key_file->Unwrap(password);
    if (!master) {
      if (master.error().code() != Code::kWrongPassword) last_damage = master.error();
      continue;
    }
    auto config_plain = OpenSealedFile(*master, "config", *config_bytes);
    if (!config_plain) {
      return Fail(Code::kDataLoss, fmt::format("{}: config: {}", store->Location(), config_plain.error().message()));
    }
    auto config = Config::Parse(*config_plain);
    if (!config) return Fail(config.error().Context(fmt::format("{}: config", store->Location())));
    return std::unique_ptr<Repository>(new Repository(std::move(store), *master, id, std::move(*config)));
  }
  if (last_damage && key_ids.size() == 1) return Fail(*last_damage);
  return Fail(Code::kWrongPassword, fmt::format("{}: wrong password (no key file opens with it)", store->Location()));
}

Id Repository::BlobId(ByteView plaintext) const { return crypto::KeyedHash(key_.id_key).Hash(plaintext); }

Result<Id> Repository::SaveFile(FileKind kind, ByteView plaintext) {
  Bytes sealed = SealFile(key_, FileKindName(kind), plaintext);
  Id id = crypto::Sha256(sealed);
  RETURN_IF_ERROR(store_->Put(FileName(kind, id), sealed));
  return id;
}

Result<Bytes> Repository::LoadFile(FileKind kind, const Id& id) {
  std::string name = FileName(kind, id);
  ASSIGN_OR_RETURN(Bytes sealed, store_->Get(name));
  if (crypto::Sha256(sealed) != id) {
    return Fail(Code::kDataLoss, fmt::format("{}: {}: content does not match its name", store_->Location(), name));
  }
  return WithContext(OpenSealedFile(key_, FileKindName(kind), sealed), fmt::format("{}: {}", store_->Location(), name));
}

Result<std::vector<Id>> Repository::ListFiles(FileKind kind) {
  std::vector<Id> ids;
  RETURN_IF_ERROR(store_->List(FileKindPrefix(kind), [&](const storage::ObjectInfo& info) {
    if (auto id = IdFromName(info.name)) ids.push_back(*id);
    return OkStatus();
  }));
  return ids;
}

Status Repository::RemoveFile(FileKind kind, const Id& id) { return store_->Remove(FileName(kind, id)); }

Result<Id> Repository::AddKey(std::string_view password, const crypto::ScryptParams& params) {
  ASSIGN_OR_RETURN(KeyFile key_file, KeyFile::Create(key_, password, params));
  Bytes bytes = key_file.Serialize();
  Id id = crypto::Sha256(bytes);
  RETURN_IF_ERROR(store_->Put(FileName(FileKind::kKey, id), bytes));
  return id;
}

Result<std::vector<std::pair<Id, KeyFile>>> Repository::ListKeys() {
  ASSIGN_OR_RETURN(auto ids, ListFiles(FileKind::kKey));
  std::vector<std::pair<Id, KeyFile>> keys;
  for (const Id& id : ids) {
    ASSIGN_OR_RETURN(Bytes bytes, store_->Get(FileName(FileKind::kKey, id)));
    ASSIGN_OR_RETURN(KeyFile key, WithContext(KeyFile::Parse(bytes), FileName(FileKind::kKey, id)));
    keys.emplace_back(id, std::move(key));
  }
  return keys;
}

Status Repository::RemoveKey(const Id& id) {
  if (id == key_id_) {
    return Fail(Code::kFailedPrecondition, "refusing to remove the key in use (open with another password first)");
  }
  return store_->Remove(FileName(FileKind::kKey, id));
}

Status Repository::LoadIndex(std::vector<std::pair<Id, Error>>* damaged, MarkedPacks marked) {
  // Markers first: a marker written after this listing names packs that can
  // go only after its window, which the lease of the caller covers (§13).
  ASSIGN_OR_RETURN(auto markers, LoadPruneMarkers(*this));
  marked_packs_ = MarkedPackIds(markers);
  size_t damaged_before = damaged == nullptr ? 0 : damaged->size();
  // Reads one index file; nullopt when it is damaged and `damaged` takes it.
  int vanished_attempts = 0;
  auto read = [&](const Id& id) -> Result<std::optional<IndexFile>> {
    auto plain = LoadFile(FileKind::kIndex, id);
    Result<IndexFile> file = plain ? WithContext(IndexFile::Parse(*plain), fmt::format("{}: {}", store_->Location(),
                                                                                        FileName(FileKind::kIndex, id)))
                                   : Fail(plain.error());
    if (file) return std::optional<IndexFile>(std::move(*file));
    bool may_retry = file.error().code() == Code::kNotFound && vanished_attempts < 2;
    if (may_retry || damaged == nullptr || file.error().code() == Code::kUnavailable) {
      return Fail(file.error());
    }
    damaged->emplace_back(id, file.error());
    return std::optional<IndexFile>();
  };
  // A file listed a moment ago and gone now: a prune removed it (below).
  auto vanished = [&](const Result<std::optional<IndexFile>>& file) {
    if (file || file.error().code() != Code::kNotFound || vanished_attempts >= 2) return false;
    vanished_attempts++;
    return true;
  };
  // Files are read and indexed one at a time (all of them parsed at once
  // would take several times the memory of the compact index). Index files
  // are immutable, so what supersedes what, once read, stays known; a file
  // found superseded after it was indexed (a prune stopped between writing
  // the new index and deleting the old) makes another pass that skips it.
  std::set<Id> superseded;
  // A prune sweep beside us removes superseded index files only after the
  // file that supersedes them is stored (§13): one listed here and gone when
  // read was superseded, and listing again shows what replaced it.
  for (;;) {
    index_.Clear();
    superseded_files_.clear();
    if (damaged != nullptr) damaged->erase(damaged->begin() + static_cast<ptrdiff_t>(damaged_before), damaged->end());
    ASSIGN_OR_RETURN(auto ids, ListFiles(FileKind::kIndex));
    std::vector<Id> loaded, with_marked;
    bool again = false;
    for (const Id& id : ids) {
      if (superseded.contains(id)) continue;
      auto file = read(id);
      if (vanished(file)) {
        again = true;
        break;
      }
      if (!file) return Fail(file.error());
      if (!file->has_value()) continue;
      bool has_marked = false;
      for (const auto& pack : (*file)->packs) {
        if (marked_packs_.contains(pack.id)) {
          has_marked = true;
        } else {
          index_.AddPack(pack);
        }
      }
      for (const Id& old : (*file)->supersedes) {
        if (superseded.insert(old).second && std::find(loaded.begin(), loaded.end(), old) != loaded.end()) again = true;
      }
      loaded.push_back(id);
      if (has_marked) with_marked.push_back(id);
    }
    if (again) continue;
    // Marked packs last, read again so that no parsed file is held meanwhile.
    if (marked == MarkedPacks::kLast) {
      for (const Id& id : with_marked) {
        auto file = read(id);
        if (vanished(file)) {
          again = true;
          break;
        }
        if (!file) return Fail(file.error());
        if (!file->has_value()) continue;
        for (const auto& pack : (*file)->packs) {
          if (marked_packs_.contains(pack.id)) index_.AddPack(pack);
        }
      }
      if (again) continue;
    }
    for (const Id& id : ids) {
      if (superseded.contains(id)) superseded_files_.push_back(id);
    }
    for (const Id& id : loaded) index_.AddLoadedFile(id);
    return OkStatus();
  }
}

Result<Bytes> Repository::LoadBlob(const Id& id, BlobCheck check) const {
  auto location = index_.Find(id);
  if (!location) return Fail(Code::kNotFound, fmt::format("blob {} is not in the index", id.Hex()));
  if (location->entry.type == BlobType::kTree) return LoadTreeBlob(*location, check);
  return LoadBlobAt(location->pack, location->entry, check);
}

Result<Bytes> Repository::LoadTreeBlob(const BlobLocation& location, BlobCheck check) const {
  const Id& pack = location.pack;
  const BlobEntry& entry = location.entry;
  const bool full = check == BlobCheck::kFull;
  if (auto held = tree_blocks_.Find(pack, entry.offset, entry.length)) {
    auto plain = OpenBlob(key_, entry, *held, full);
    if (plain) return plain;
    // Damaged in the copy these blocks came from: the blob alone, from
    // whichever copy opens.
    tree_blocks_.Drop(pack, entry.offset, entry.length);
    return LoadBlobAt(pack, entry, check);
  }
  // The blob's blocks, kBlocksBefore before and kBlocksAfter after, less
  // those at either end already held (the blob's own too: its bytes there
  // are taken from them), within the pack.
  constexpr uint64_t kBlock = TreeBlockCache::kBlockBytes;
  const uint64_t end = uint64_t{entry.offset} + entry.length;
  const uint64_t pack_end = std::max(location.pack_size, end);
  const uint64_t pack_blocks = (pack_end + kBlock - 1) / kBlock;
  const uint64_t blob_first = entry.offset / kBlock;
  const uint64_t blob_last = (end - 1) / kBlock;
  uint64_t first = blob_first > TreeBlockCache::kBlocksBefore ? blob_first - TreeBlockCache::kBlocksBefore : 0;
  uint64_t last = std::min(blob_last + TreeBlockCache::kBlocksAfter, pack_blocks - 1);
  while (first < last && tree_blocks_.Holds(pack, first)) first++;
  while (last > first && tree_blocks_.Holds(pack, last)) last--;
  uint64_t start = first * kBlock;
  uint64_t stop = std::min((last + 1) * kBlock, pack_end);
  Bytes held_before, held_after;  // the blob's bytes before start and from stop
  if (entry.offset < start) {
    if (auto held = tree_blocks_.Find(pack, entry.offset, start - entry.offset)) {
      held_before = std::move(*held);
    } else {
      start = blob_first * kBlock;  // gone meanwhile (another thread): read them
    }
  }
  if (end > stop) {
    if (auto held = tree_blocks_.Find(pack, stop, end - stop)) {
      held_after = std::move(*held);
    } else {
      stop = std::min((blob_last + 1) * kBlock, pack_end);
    }
  }
  Result<Bytes> plain = Fail(Code::kInternal, "blob not opened");
  auto blocks = store_->GetChecked(PackName(entry.type, pack), start, stop - start, [&](ByteView bytes) -> Status {
    const uint64_t from = std::max<uint64_t>(entry.offset, start);
    const uint64_t to = std::min(end, stop);
    ByteView sealed = bytes.subspan(from - start, to - from);
    Bytes joined;
    if (!held_before.empty() || !held_after.empty()) {
      joined.reserve(entry.length);
      joined.insert(joined.end(), held_before.begin(), held_before.end());
      joined.insert(joined.end(), sealed.begin(), sealed.end());
      joined.insert(joined.end(), held_after.begin(), held_after.end());
      sealed = joined;
    }
    plain = OpenBlob(key_, entry, sealed, full);
    if (!plain) return Fail(plain.error());
    return OkStatus();
  });
  if (!blocks) {
    // Damaged in every copy (or in the held part), or the blocks are not all
    // in the pack (a truncated pack): the blob alone, whose error names the
    // pack. Anything else (no such pack, store down after its retries)
    // fails as it is.
    if (blocks.error().code() != Code::kDataLoss && blocks.error().code() != Code::kInvalidArgument) {
      return Fail(blocks.error().Context(fmt::format("blob {}", entry.id.Hex())));
    }
    tree_blocks_.Drop(pack, entry.offset, entry.length);
    return LoadBlobAt(pack, entry, check);
  }
  tree_blocks_.Add(pack, start, *blocks);
  return plain;
}

Result<Bytes> Repository::LoadBlobAt(const Id& pack, const BlobEntry& entry, BlobCheck check) const {
  std::string name = PackName(entry.type, pack);
  // The store hands the sealed bytes to OpenBlob before returning them, so a
  // store with several copies (placement) can fall back to another one when
  // authentication fails.
  Result<Bytes> plain = Fail(Code::kInternal, "blob not opened");
  auto sealed = store_->GetChecked(name, entry.offset, entry.length, [&](ByteView bytes) -> Status {
    plain = OpenBlob(key_, entry, bytes, check == BlobCheck::kFull);
    if (!plain) return Fail(plain.error());
    return OkStatus();
  });
  if (!sealed) return Fail(sealed.error().Context(fmt::format("blob {}", entry.id.Hex())));
  return plain;
}

Status Repository::ReadBlobRun(const Id& pack, std::span<const BlobEntry> blobs, BlobCheck check,
                               const BlobSink& sink) const {
  if (blobs.empty()) return OkStatus();
  const BlobType type = blobs.front().type;
  const uint64_t start = blobs.front().offset;
  const uint64_t end = uint64_t{blobs.back().offset} + blobs.back().length;
  for (size_t i = 0; i < blobs.size(); ++i) {
    bool ordered = i == 0 || blobs[i].offset >= uint64_t{blobs[i - 1].offset} + blobs[i - 1].length;
    if (blobs[i].type != type || !ordered) {
      return Fail(Code::kInvalidArgument, fmt::format("blob run of pack {}: blobs not of one type in offset order",
                                                      pack.Hex()));
    }
  }
  std::string name = PackName(type, pack);
  // Blobs opened from any copy are handed over at once: a store with
  // several copies calls `open_all` again only for what is still missing.
  std::vector<bool> delivered(blobs.size(), false);
  auto open_all = [&](ByteView bytes) -> Status {
    size_t failed = 0;
    std::optional<Error> first;
    for (size_t i = 0; i < blobs.size(); ++i) {
      if (delivered[i]) continue;
      ByteView sealed = bytes.subspan(blobs[i].offset - start, blobs[i].length);
      Result<Bytes> opened = OpenBlob(key_, blobs[i], sealed, check == BlobCheck::kFull);
      if (!opened) {
        failed++;
        if (!first) first = opened.error();
        continue;
      }
      delivered[i] = true;
      sink(i, std::move(opened));
    }
    if (failed == 0) return OkStatus();
    return Fail(Code::kDataLoss, fmt::format("{} of {} blobs fail to open, first {}", failed, blobs.size(),
                                             first->message()));
  };
  auto read = store_->GetChecked(name, start, end - start, open_all);
  // kDataLoss: some blob is damaged; kInvalidArgument: the range is not all
  // inside the pack (a truncated pack), whose first blobs may be whole.
  // Anything else (no such pack, store down after its retries) fails every
  // blob alike, without a request per blob.
  if (!read && read.error().code() != Code::kDataLoss && read.error().code() != Code::kInvalidArgument) {
    Error whole = read.error().Context(fmt::format("{} blobs at {}..{}", blobs.size(), start, end));
    for (size_t i = 0; i < blobs.size(); ++i) {
      if (!delivered[i]) sink(i, Fail(whole));
    }
    return OkStatus();
  }
  read = Bytes();  // the sealed range is not needed for what follows
  for (size_t i = 0; i < blobs.size(); ++i) {
    // Damaged in every copy of the range, or the range was cut short: the
    // blob on its own, whose error names the store and the pack.
    if (!delivered[i]) sink(i, LoadBlobAt(pack, blobs[i], check));
  }
  return OkStatus();
}

Result<Tree> Repository::LoadTree(const Id& id) const {
  ASSIGN_OR_RETURN(Bytes bytes, LoadBlob(id));
  return WithContext(Tree::Parse(bytes), fmt::format("tree {}", id.Hex()));
}

Result<std::vector<SnapshotRecord>> Repository::LoadSnapshots() {
  ASSIGN_OR_RETURN(auto ids, ListFiles(FileKind::kSnapshot));
  std::vector<SnapshotRecord> records;
  for (const Id& id : ids) {
    ASSIGN_OR_RETURN(Bytes plain, LoadFile(FileKind::kSnapshot, id));
    ASSIGN_OR_RETURN(Snapshot snap, WithContext(Snapshot::Parse(plain), FileName(FileKind::kSnapshot, id)));
    records.push_back({id, std::move(snap)});
  }
  std::sort(records.begin(), records.end(), [](const SnapshotRecord& a, const SnapshotRecord& b) {
    return std::tie(a.snapshot.time_ns, a.id) < std::tie(b.snapshot.time_ns, b.id);
  });
  return records;
}

Result<SnapshotRecord> Repository::FindSnapshot(std::string_view id_or_prefix) {
  if (id_or_prefix == "latest") {
    ASSIGN_OR_RETURN(auto all, LoadSnapshots());
    if (all.empty()) return Fail(Code::kNotFound, "the repository has no snapshots yet");
    return all.back();
  }
  if (id_or_prefix.size() < 4 || id_or_prefix.size() > 64 ||
      id_or_prefix.find_first_not_of("0123456789abcdef") != std::string_view::npos) {
    return Fail(Code::kInvalidArgument,
                fmt::format("{:?} is not a snapshot id (use 4 to 64 hex digits or 'latest')", id_or_prefix));
  }
  ASSIGN_OR_RETURN(auto ids, ListFiles(FileKind::kSnapshot));
  std::vector<Id> matches;
  for (const Id& id : ids) {
    if (id.Hex().starts_with(id_or_prefix)) matches.push_back(id);
  }
  if (matches.empty()) return Fail(Code::kNotFound, fmt::format("no snapshot {} in the repository", id_or_prefix));
  if (matches.size() > 1) {
    return Fail(Code::kInvalidArgument,
                fmt::format("snapshot prefix {} is ambiguous: it matches {} snapshots", id_or_prefix, matches.size()));
  }
  ASSIGN_OR_RETURN(Bytes plain, LoadFile(FileKind::kSnapshot, matches[0]));
  ASSIGN_OR_RETURN(Snapshot snap, Snapshot::Parse(plain));
  return SnapshotRecord{matches[0], std::move(snap)};
}

}  // namespace arkiv::repo
