// Packs: many sealed blobs in one object, the header at the end.
//
//   blob_1 || … || blob_n || sealed_header || header_length (u32 LE)
//   header = "ARKP" | version u8 | count u32 | n × BlobEntry
//   sealed_header = AES-256-GCM(header), associated data "arkiv pack header"
//   blob_i = AES-256-GCM(compressed or raw plaintext), associated data = blob id
// The pack's name is SHA-256 of all its bytes (see layout.h).
#pragma once

#include <vector>

#include "core/bytes.h"
#include "core/status.h"
#include "repo/blob_entry.h"
#include "repo/master_key.h"
#include "storage/store.h"

namespace arkiv::repo {

// Compresses and seals one blob; the result goes into a pack as is.
struct SealedBlob {
  BlobEntry entry;  // offset unset
  Bytes bytes;
};
SealedBlob SealBlob(const MasterKey& key, BlobType type, const Id& id, ByteView plaintext, int compression_level);
// Authenticates and decompresses; with `check_id`, also recomputes the keyed
// hash. kDataLoss on any mismatch.
Result<Bytes> OpenBlob(const MasterKey& key, const BlobEntry& entry, ByteView sealed, bool check_id = true);

// Builds one pack in memory. Not thread safe.
class PackWriter {
 public:
  // `expected_size` reserves the buffer once: growing a 16 MiB vector by
  // doubling would copy it and touch twice the memory.
  explicit PackWriter(BlobType type, size_t expected_size = 0) : type_(type) { data_.reserve(expected_size); }
  void Add(SealedBlob blob);
  size_t size() const { return data_.size(); }
  size_t count() const { return entries_.size(); }
  BlobType type() const { return type_; }
  // Appends the sealed header; returns the finished pack bytes and entries.
  Bytes Finish(const MasterKey& key, std::vector<BlobEntry>* entries);

 private:
  BlobType type_;
  Bytes data_;
  std::vector<BlobEntry> entries_;
};

inline constexpr uint32_t kMaxPackHeaderSize = 16u << 20;

// Parses a pack's trailer from the pack's last bytes. `tail` must end at the
// end of the pack; `pack_size` is the total size.
Result<std::vector<BlobEntry>> ParsePackHeader(const MasterKey& key, ByteView sealed_header, uint64_t data_size);
// Reads and parses the header of the pack `name` of `pack_size` bytes.
Result<std::vector<BlobEntry>> ReadPackHeader(const MasterKey& key, storage::Store& store, const std::string& name,
                                              uint64_t pack_size);
// Same, from the whole pack in memory.
Result<std::vector<BlobEntry>> ReadPackHeader(const MasterKey& key, ByteView pack);

}  // namespace arkiv::repo
