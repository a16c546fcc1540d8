// A blob's place in a pack, and the binary encoding shared by pack headers
// and index files (docs/design.md, "Pack format"):
//   type u8 | compression u8 | length u32 | raw_length u32 | id[32]  (42 bytes)
// Offsets are not stored: a blob starts where the previous one ended.
#pragma once

#include <cstdint>
#include <vector>

#include "codec/compression.h"
#include "core/bytes.h"
#include "core/id.h"
#include "core/status.h"
#include "repo/layout.h"

namespace arkiv::repo {

struct BlobEntry {
  Id id;
  BlobType type = BlobType::kData;
  codec::Compression compression = codec::Compression::kNone;
  uint32_t offset = 0;      // within the pack
  uint32_t length = 0;      // sealed bytes in the pack
  uint32_t raw_length = 0;  // plaintext bytes
};

inline constexpr size_t kBlobEntrySize = 42;
// A blob may not exceed this much plaintext (the chunker's hard maximum is 64 MiB).
inline constexpr uint32_t kMaxBlobSize = 128u << 20;

void AppendBlobEntry(Bytes& out, const BlobEntry& entry);

// Reads `count` entries starting at `*pos`, assigning consecutive offsets
// from `first_offset`. Rejects entries that overflow `data_limit` (the end
// of the pack's blob area) or have impossible sizes.
Result<std::vector<BlobEntry>> ReadBlobEntries(ByteView in, size_t* pos, uint32_t count, uint64_t data_limit);

}  // namespace arkiv::repo
