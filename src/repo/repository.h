// An open repository: a Store plus the keys, config and index to read and
// write it. Builds the layers bottom-up: store → keys → config → index.
//
// Thread safety: after Open/Init, all const methods and LoadBlob/LoadTree/
// LoadFile/SaveFile may be called concurrently.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/id.h"
#include "crypto/kdf.h"
#include "repo/config.h"
#include "repo/index.h"
#include "repo/key_file.h"
#include "repo/layout.h"
#include "repo/master_key.h"
#include "repo/snapshot.h"
#include "repo/tree.h"
#include "repo/tree_block_cache.h"
#include "storage/store.h"

namespace arkiv::repo {

struct InitOptions {
  crypto::ScryptParams kdf;
  int compression_level = kDefaultCompressionLevel;
  chunker::ChunkerParams chunker;  // seed is always chosen at random
  uint32_t pack_size = 16 * 1024 * 1024;
  // The cloud set of a multi-cloud repository (opaque here), sealed as
  // clouds/<sha256> after the key and before the config, so that every
  // repository with a config has its cloud set.
  std::optional<Bytes> clouds;
};

// How much LoadBlob checks. AES-GCM with the blob id as associated data
// already proves the bytes were sealed for this id under the repository key;
// recomputing the keyed hash of the plaintext also catches a writer that
// computed a wrong id (a bug, not an attack). check and tree loads use kFull.
enum class BlobCheck { kAuthenticate, kFull };

// What LoadIndex does with packs named by a prune marker (design.md §13):
// readers index them after all other packs, so a blob with another copy
// resolves to that copy; writers (backup) leave them out, so a blob whose
// only copy is on its way out counts as absent and is stored again.
enum class MarkedPacks { kLast, kExclude };

struct SnapshotRecord {
  Id id;
  Snapshot snapshot;
};

class Repository {
 public:
  // kAlreadyExists if the store already holds a repository.
  static Result<std::unique_ptr<Repository>> Init(std::shared_ptr<storage::Store> store, std::string_view password,
                                                  const InitOptions& options);
  // kRepositoryNotFound, kWrongPassword, kDataLoss (damaged config or key),
  // kFailedPrecondition (newer format).
  static Result<std::unique_ptr<Repository>> Open(std::shared_ptr<storage::Store> store, std::string_view password);

  storage::Store& store() const { return *store_; }
  // Puts the repository on another store holding the same objects: the
  // placement store over all clouds, once the cloud set is read from the
  // one cloud the repository was opened on.
  void ReplaceStore(std::shared_ptr<storage::Store> store) { store_ = std::move(store); }
  std::shared_ptr<storage::Store> shared_store() const { return store_; }
  const Config& config() const { return config_; }
  const MasterKey& key() const { return key_; }
  const Id& key_id() const { return key_id_; }
  Id BlobId(ByteView plaintext) const;

  // Sealed files (snapshots, indexes, locks), named by SHA-256 of their bytes.
  Result<Id> SaveFile(FileKind kind, ByteView plaintext);
  Result<Bytes> LoadFile(FileKind kind, const Id& id);
  Result<std::vector<Id>> ListFiles(FileKind kind);
  Status RemoveFile(FileKind kind, const Id& id);

  // Keys: add one for another password, list, remove (not the one in use).
  Result<Id> AddKey(std::string_view password, const crypto::ScryptParams& params);
  Result<std::vector<std::pair<Id, KeyFile>>> ListKeys();
  Status RemoveKey(const Id& id);

  // Reads the prune markers, then every index file not superseded by another
  // (replacing what the index held). With `damaged`, an unreadable index file
  // is recorded there and skipped instead of failing.
  Status LoadIndex(std::vector<std::pair<Id, Error>>* damaged = nullptr, MarkedPacks marked = MarkedPacks::kLast);
  // Index files found superseded at the last LoadIndex but still stored (a
  // prune stopped before deleting them). A new superseding file must name
  // them too: once their superseder is gone they would be in force again.
  const std::vector<Id>& superseded_index_files() const { return superseded_files_; }
  // The packs prune markers named at the last LoadIndex.
  const std::unordered_set<Id, IdHash>& marked_packs() const { return marked_packs_; }
  Index& index() { return index_; }
  const Index& index() const { return index_; }

  // Reads, authenticates and decompresses a blob found in the index. A tree
  // blob is read with the blocks of its pack around it, held for the trees
  // that follow (repo/tree_block_cache.h).
  Result<Bytes> LoadBlob(const Id& id, BlobCheck check = BlobCheck::kFull) const;
  Result<Tree> LoadTree(const Id& id) const;

  // Reads several blobs of one pack with one ranged Get, from the first
  // blob's start to the last one's end (gaps between them are read and
  // dropped), opens each exactly as LoadBlob does and hands it to `sink`
  // (its index in `blobs`, the opened bytes or the blob's error) as soon as
  // it is opened, so that only the sealed range and one opened blob are held
  // at a time. `blobs` are entries of pack `pack`, sorted by offset, not
  // overlapping. A store with several copies tries the others while any blob
  // of the range fails to open (blobs handed over already stay handed over);
  // a blob that no copy of the whole range opens is read once more on its
  // own (LoadBlob), so one damaged blob costs only its own files. `sink` is
  // called exactly once per blob, on the calling thread; when the range
  // cannot be read at all (missing pack, store down) the blobs not handed
  // over yet get that error, without a request per blob. Fails only with
  // kInvalidArgument, for blobs of mixed types or out of order.
  using BlobSink = std::function<void(size_t index, Result<Bytes> blob)>;
  Status ReadBlobRun(const Id& pack, std::span<const BlobEntry> blobs, BlobCheck check, const BlobSink& sink) const;

  // All snapshots, oldest first.
  Result<std::vector<SnapshotRecord>> LoadSnapshots();
  // Accepts a full id, a unique prefix of 4+ hex digits, or "latest".
  Result<SnapshotRecord> FindSnapshot(std::string_view id_or_prefix);

 private:
  Repository(std::shared_ptr<storage::Store> store, MasterKey key, Id key_id, Config config);
  Result<Bytes> LoadBlobAt(const Id& pack, const BlobEntry& entry, BlobCheck check) const;
  Result<Bytes> LoadTreeBlob(const BlobLocation& location, BlobCheck check) const;

  std::shared_ptr<storage::Store> store_;
  MasterKey key_;
  Id key_id_;
  Config config_;
  Index index_;
  std::unordered_set<Id, IdHash> marked_packs_;
  std::vector<Id> superseded_files_;
  mutable TreeBlockCache tree_blocks_;
};

}  // namespace arkiv::repo
