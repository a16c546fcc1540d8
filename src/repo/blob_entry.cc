#include "repo/blob_entry.h"

#include "crypto/aead.h"

namespace arkiv::repo {

void AppendBlobEntry(Bytes& out, const BlobEntry& entry) {
  out.push_back(static_cast<uint8_t>(entry.type));
  out.push_back(static_cast<uint8_t>(entry.compression));
  PutU32(out, entry.length);
  PutU32(out, entry.raw_length);
  out.insert(out.end(), entry.id.bytes().begin(), entry.id.bytes().end());
}

Result<std::vector<BlobEntry>> ReadBlobEntries(ByteView in, size_t* pos, uint32_t count, uint64_t data_limit) {
  if (count > (in.size() - *pos) / kBlobEntrySize) return Fail(Code::kDataLoss, "blob entry count exceeds the data");
  std::vector<BlobEntry> entries;
  entries.reserve(count);
  uint64_t offset = 0;
  for (uint32_t i = 0; i < count; ++i) {
    const uint8_t* p = in.data() + *pos;
    BlobEntry e;
    if (p[0] > 1 || p[1] > 1) return Fail(Code::kDataLoss, "blob entry has an unknown type or compression");
    e.type = static_cast<BlobType>(p[0]);
    e.compression = static_cast<codec::Compression>(p[1]);
    e.length = GetU32(p + 2);
    e.raw_length = GetU32(p + 6);
    e.id = Id::FromBytes(ByteView(p + 10, 32));
    if (e.length < crypto::Aead::kOverhead || e.raw_length > kMaxBlobSize ||
        e.length > kMaxBlobSize + crypto::Aead::kOverhead + 1024) {
      return Fail(Code::kDataLoss, "blob entry has an impossible size");
    }
    if (offset + e.length > data_limit) return Fail(Code::kDataLoss, "blob entry points past the end of the pack");
    // Offsets are 32 bits: an index claiming a pack over 4 GiB would wrap them.
    if (offset + e.length > UINT32_MAX) return Fail(Code::kDataLoss, "blob entry lies beyond 4 GiB into the pack");
    e.offset = static_cast<uint32_t>(offset);
    offset += e.length;
    entries.push_back(e);
    *pos += kBlobEntrySize;
  }
  return entries;
}

}  // namespace arkiv::repo
