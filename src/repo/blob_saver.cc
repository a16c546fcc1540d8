#include "repo/blob_saver.h"

#include <fmt/format.h>

#include "crypto/sha256.h"

namespace arkiv::repo {

BlobSaver::BlobSaver(Repository& repo, BlobSaverOptions options)
    : repo_(repo),
      options_(options),
      // One pack queued beyond those uploading: enough to keep uploads busy,
      // and each queued pack is pack_size bytes of memory.
      uploads_(std::make_unique<ThreadPool>(options.upload_threads, 1)) {}

BlobSaver::~BlobSaver() { uploads_->Wait(); }

Result<bool> BlobSaver::Save(BlobType type, const Id& id, ByteView plaintext) {
  if (failed_) RETURN_IF_ERROR(FirstError());
  if (!options_.ignore_existing && repo_.index().Has(id)) return false;
  {
    std::lock_guard lock(seen_mutex_);
    if (!seen_.insert(id).second) return false;
  }
  // An upload may have indexed the blob and dropped it from seen_ between the
  // two checks above (UploadPack indexes first, then forgets).
  if (!options_.ignore_existing && repo_.index().Has(id)) {
    std::lock_guard lock(seen_mutex_);
    seen_.erase(id);
    return false;
  }
  SealedBlob blob = SealBlob(repo_.key(), type, id, plaintext, repo_.config().compression_level);
  stats_.blobs_added++;
  stats_.bytes_added += plaintext.size();
  stats_.bytes_stored += blob.bytes.size();

  int slot = static_cast<int>(type);
  std::unique_ptr<PackWriter> full;
  {
    std::lock_guard lock(pack_mutex_[slot]);
    if (!open_pack_[slot]) open_pack_[slot] = std::make_unique<PackWriter>(type, repo_.config().pack_size + (1u << 20));
    open_pack_[slot]->Add(std::move(blob));
    if (open_pack_[slot]->size() >= repo_.config().pack_size) full = std::move(open_pack_[slot]);
  }
  if (full) SubmitPack(std::move(full));
  return true;
}

void BlobSaver::SubmitPack(std::unique_ptr<PackWriter> writer) {
  std::vector<BlobEntry> entries;
  BlobType type = writer->type();
  Bytes pack = writer->Finish(repo_.key(), &entries);
  // Blocks while uploads are behind: back-pressure bounds memory.
  uploads_->Submit([this, pack = std::move(pack), type, entries = std::move(entries)]() mutable {
    UploadPack(std::move(pack), type, std::move(entries));
  });
}

void BlobSaver::UploadPack(Bytes pack, BlobType type, std::vector<BlobEntry> entries) {
  if (failed_) return;
  Id id = crypto::Sha256(pack);
  if (auto st = repo_.store().Put(PackName(type, id), pack); !st) {
    RecordError(st.error());
    return;
  }
  IndexedPack indexed{id, pack.size(), std::move(entries)};
  repo_.index().AddPack(indexed);
  // Indexed blobs are found by the index from now on: seen_ keeps only the
  // blobs of packs not yet uploaded, not every blob of the run (10M ids of
  // an initial backup would cost more than the index itself). With
  // ignore_existing the index already has them, so seen_ must remember.
  if (!options_.ignore_existing) {
    std::lock_guard lock(seen_mutex_);
    for (const auto& blob : indexed.blobs) seen_.erase(blob.id);
  }
  stats_.packs_uploaded++;
  std::vector<IndexedPack> batch;
  {
    std::lock_guard lock(index_mutex_);
    size_t blobs = indexed.blobs.size();
    // A pack that would take the file past the blob limit starts the next file.
    if (options_.write_index && !unindexed_.empty() && unindexed_blobs_ + blobs > kMaxBlobsPerIndexFile) {
      batch.swap(unindexed_);
      unindexed_blobs_ = 0;
    }
    unindexed_.push_back(std::move(indexed));
    unindexed_blobs_ += blobs;
    if (options_.write_index && batch.empty() &&
        (unindexed_.size() >= kPacksPerIndexFile || unindexed_blobs_ >= kMaxBlobsPerIndexFile)) {
      batch.swap(unindexed_);
      unindexed_blobs_ = 0;
    }
  }
  if (!batch.empty()) {
    if (auto st = WriteIndexFile(std::move(batch)); !st) RecordError(st.error());
  }
}

Status BlobSaver::WriteIndexFile(std::vector<IndexedPack> packs) {
  IndexFile file;
  file.packs = std::move(packs);
  ASSIGN_OR_RETURN(Id id, repo_.SaveFile(FileKind::kIndex, file.Serialize()));
  repo_.index().AddLoadedFile(id);
  stats_.index_files++;
  return OkStatus();
}

Status BlobSaver::Flush() {
  for (int slot = 0; slot < 2; ++slot) {
    std::unique_ptr<PackWriter> open;
    {
      std::lock_guard lock(pack_mutex_[slot]);
      open = std::move(open_pack_[slot]);
    }
    if (open && open->count() > 0) SubmitPack(std::move(open));
  }
  uploads_->Wait();
  RETURN_IF_ERROR(FirstError());
  if (!options_.write_index) return OkStatus();
  std::vector<IndexedPack> batch;
  {
    std::lock_guard lock(index_mutex_);
    batch.swap(unindexed_);
    unindexed_blobs_ = 0;
  }
  if (!batch.empty()) RETURN_IF_ERROR(WriteIndexFile(std::move(batch)));
  return OkStatus();
}

std::vector<IndexedPack> BlobSaver::TakeUploadedPacks() {
  std::lock_guard lock(index_mutex_);
  unindexed_blobs_ = 0;
  return std::exchange(unindexed_, {});
}

Status BlobSaver::FirstError() {
  std::lock_guard lock(error_mutex_);
  if (error_) return Fail(*error_);
  return OkStatus();
}

void BlobSaver::RecordError(const Error& error) {
  std::lock_guard lock(error_mutex_);
  if (!error_) error_ = error;
  failed_ = true;
}

}  // namespace arkiv::repo
