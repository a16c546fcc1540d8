// Saves blobs into packs and packs into the store, in the background.
//
// Save() seals (compresses, encrypts) the blob on the caller's thread, so
// N workers give N cores of crypto, then appends it to the open pack of its
// type. A full pack is handed to the upload threads; after each upload the
// pack joins the in-memory index, and every kPacksPerIndexFile packs (or
// kMaxBlobsPerIndexFile blobs, whichever comes first) an index file is written, so that a backup killed midway leaves its uploaded
// packs indexed and the next run reuses them.
//
// Write order (docs/design.md): pack → index file → (caller) snapshot.
// Thread safety: Save may be called concurrently; Flush from one thread
// after all Save calls returned.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <unordered_set>
#include <vector>

#include "core/thread_pool.h"
#include "repo/pack.h"
#include "repo/repository.h"

namespace arkiv::repo {

struct BlobSaverStats {
  std::atomic<uint64_t> blobs_added{0};
  std::atomic<uint64_t> bytes_added{0};   // plaintext
  std::atomic<uint64_t> bytes_stored{0};  // sealed, in packs
  std::atomic<uint64_t> packs_uploaded{0};
  std::atomic<uint64_t> index_files{0};
};

struct BlobSaverOptions {
  size_t upload_threads = 2;
  // Prune's repacking stores blobs the index already has (in packs about to
  // be deleted), and writes the index itself.
  bool ignore_existing = false;
  bool write_index = true;
};

class BlobSaver {
 public:
  static constexpr size_t kPacksPerIndexFile = 8;

  BlobSaver(Repository& repo, BlobSaverOptions options);
  ~BlobSaver();

  // Returns true if the blob was new and is being stored; false if the
  // repository (or this saver) has it already. Returns an earlier upload
  // error, once one happened.
  Result<bool> Save(BlobType type, const Id& id, ByteView plaintext);
  // Uploads open packs, waits for all uploads and writes the last index file.
  Status Flush();

  const BlobSaverStats& stats() const { return stats_; }
  // With write_index=false: the packs uploaded so far (call after Flush).
  std::vector<IndexedPack> TakeUploadedPacks();

 private:
  void SubmitPack(std::unique_ptr<PackWriter> writer);
  void UploadPack(Bytes pack, BlobType type, std::vector<BlobEntry> entries);
  Status WriteIndexFile(std::vector<IndexedPack> packs);
  Status FirstError();
  void RecordError(const Error& error);

  Repository& repo_;
  BlobSaverOptions options_;
  BlobSaverStats stats_;

  std::mutex seen_mutex_;
  std::unordered_set<Id, IdHash> seen_;  // saved by this saver, not yet indexed (all, with ignore_existing)

  std::mutex pack_mutex_[2];
  std::unique_ptr<PackWriter> open_pack_[2];

  std::mutex index_mutex_;
  std::vector<IndexedPack> unindexed_;
  size_t unindexed_blobs_ = 0;

  std::mutex error_mutex_;
  std::optional<Error> error_;
  std::atomic<bool> failed_{false};

  std::unique_ptr<ThreadPool> uploads_;
};

}  // namespace arkiv::repo
