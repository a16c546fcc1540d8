#include "repo/pack.h"

#include <fmt/format.h>

#include "crypto/aead.h"
#include "crypto/keyed_hash.h"

namespace arkiv::repo {
namespace {

constexpr std::string_view kHeaderAssociated = "arkiv pack header";
constexpr std::string_view kPackMagic = "ARKP";
constexpr uint8_t kPackVersion = 1;

}  // namespace

SealedBlob SealBlob(const MasterKey& key, BlobType type, const Id& id, ByteView plaintext, int compression_level) {
  Bytes compressed;
  compressed.reserve(plaintext.size() / 2);
  SealedBlob blob;
  blob.entry.compression = codec::Compress(plaintext, compression_level, compressed);
  blob.bytes = crypto::Aead(key.encryption).Seal(compressed, id.bytes());
  blob.entry.id = id;
  blob.entry.type = type;
  blob.entry.length = static_cast<uint32_t>(blob.bytes.size());
  blob.entry.raw_length = static_cast<uint32_t>(plaintext.size());
  return blob;
}

Result<Bytes> OpenBlob(const MasterKey& key, const BlobEntry& entry, ByteView sealed, bool check_id) {
  auto compressed = crypto::Aead(key.encryption).Open(sealed, entry.id.bytes());
  if (!compressed) return Fail(Code::kDataLoss, fmt::format("blob {}: {}", entry.id.Hex(), compressed.error().message()));
  auto plain = codec::Decompress(entry.compression, *compressed, entry.raw_length);
  if (!plain) return Fail(Code::kDataLoss, fmt::format("blob {}: {}", entry.id.Hex(), plain.error().message()));
  if (check_id && crypto::KeyedHash(key.id_key).Hash(*plain) != entry.id) {
    return Fail(Code::kDataLoss, fmt::format("blob {}: content does not match its id", entry.id.Hex()));
  }
  return plain;
}

void PackWriter::Add(SealedBlob blob) {
  blob.entry.offset = static_cast<uint32_t>(data_.size());
  data_.insert(data_.end(), blob.bytes.begin(), blob.bytes.end());
  entries_.push_back(blob.entry);
}

Bytes PackWriter::Finish(const MasterKey& key, std::vector<BlobEntry>* entries) {
  Bytes header(kPackMagic.begin(), kPackMagic.end());
  header.push_back(kPackVersion);
  PutU32(header, static_cast<uint32_t>(entries_.size()));
  for (const auto& e : entries_) AppendBlobEntry(header, e);
  Bytes sealed = crypto::Aead(key.encryption).Seal(header, AsBytes(kHeaderAssociated));
  Bytes pack = std::move(data_);
  pack.reserve(pack.size() + sealed.size() + 4);
  pack.insert(pack.end(), sealed.begin(), sealed.end());
  PutU32(pack, static_cast<uint32_t>(sealed.size()));
  *entries = std::move(entries_);
  data_.clear();
  entries_.clear();
  return pack;
}

Result<std::vector<BlobEntry>> ParsePackHeader(const MasterKey& key, ByteView sealed_header, uint64_t data_size) {
  auto header = crypto::Aead(key.encryption).Open(sealed_header, AsBytes(kHeaderAssociated));
  if (!header) return Fail(Code::kDataLoss, "pack header: " + header.error().message());
  ByteView h = *header;
  if (h.size() < 9 || AsString(h.subspan(0, 4)) != kPackMagic || h[4] != kPackVersion) {
    return Fail(Code::kDataLoss, "pack header has a bad magic or version");
  }
  size_t pos = 9;
  ASSIGN_OR_RETURN(auto entries, ReadBlobEntries(h, &pos, GetU32(h.data() + 5), data_size));
  if (pos != h.size()) return Fail(Code::kDataLoss, "pack header has trailing bytes");
  uint64_t used = entries.empty() ? 0 : uint64_t(entries.back().offset) + entries.back().length;
  if (used != data_size) return Fail(Code::kDataLoss, "pack header does not cover the pack's blobs exactly");
  return entries;
}

Result<std::vector<BlobEntry>> ReadPackHeader(const MasterKey& key, ByteView pack) {
  if (pack.size() < 4) return Fail(Code::kDataLoss, "pack shorter than its trailer");
  uint32_t header_length = GetU32(pack.data() + pack.size() - 4);
  if (header_length > kMaxPackHeaderSize || header_length > pack.size() - 4) {
    return Fail(Code::kDataLoss, "pack trailer gives an impossible header length");
  }
  uint64_t data_size = pack.size() - 4 - header_length;
  return ParsePackHeader(key, pack.subspan(data_size, header_length), data_size);
}

Result<std::vector<BlobEntry>> ReadPackHeader(const MasterKey& key, storage::Store& store, const std::string& name,
                                              uint64_t pack_size) {
  if (pack_size < 4) return Fail(Code::kDataLoss, fmt::format("pack {} shorter than its trailer", name));
  // Most headers fit in the last 64 KiB: one request instead of two.
  uint64_t tail_size = std::min<uint64_t>(pack_size, uint64_t{64} * 1024);
  ASSIGN_OR_RETURN(Bytes tail, store.Get(name, pack_size - tail_size, tail_size));
  uint32_t header_length = GetU32(tail.data() + tail.size() - 4);
  if (header_length > kMaxPackHeaderSize || header_length > pack_size - 4) {
    return Fail(Code::kDataLoss, fmt::format("pack {}: trailer gives an impossible header length", name));
  }
  uint64_t data_size = pack_size - 4 - header_length;
  Bytes header;
  if (header_length + 4 <= tail.size()) {
    header.assign(tail.end() - 4 - header_length, tail.end() - 4);
  } else {
    ASSIGN_OR_RETURN(header, store.Get(name, data_size, header_length));
  }
  return WithContext(ParsePackHeader(key, header, data_size), fmt::format("pack {}", name));
}

}  // namespace arkiv::repo
