// The shard object: one erasure-coded piece of a pack as stored on one cloud
// (docs/design.md, "Shards (erasure-coded packs)"). A fixed 88-byte header,
// then the payload:
//
//   offset size  field
//        0    4  magic "ARKS"
//        4    1  format version (1)
//        5    1  k, data shards (1 … 32)
//        6    1  m, parity shards (k + m ≤ 32)
//        7    1  index of this shard (0 … k+m−1; < k: data, else parity)
//        8    8  pack size, u64 LE (bytes of the original pack)
//       16    8  payload size, u64 LE (= ceil(pack size / k))
//       24   32  pack id: SHA-256 of the whole original pack (its object name)
//       56   32  checksum: SHA-256 of bytes 0 … 55 followed by the payload
//       88    …  payload
//
// Everything is verifiable without the repository password: the checksum
// covers the header fields and the payload, so a flipped bit anywhere in the
// object is caught by ParseShard (scrubbing), and the pack id checks the
// decoded pack as a whole.
#pragma once

#include <cstdint>

#include "core/bytes.h"
#include "core/id.h"
#include "core/status.h"

namespace arkiv::placement {

inline constexpr size_t kShardHeaderSize = 88;
inline constexpr uint8_t kShardFormatVersion = 1;

// What a shard says about itself and the pack it belongs to.
struct ShardHeader {
  int data_shards = 0;    // k
  int parity_shards = 0;  // m
  int index = 0;          // which shard of the k + m
  uint64_t pack_size = 0;
  Id pack_id;  // SHA-256 of the original pack

  uint64_t payload_size() const;  // ceil(pack_size / k)
  bool operator==(const ShardHeader&) const = default;
};

struct Shard {
  ShardHeader header;
  Bytes payload;
};

// Header then payload. kInvalidArgument if the header's fields are out of
// range or payload.size() != header.payload_size(): arkiv never writes a
// shard that ParseShard would reject.
Result<Bytes> EncodeShard(const ShardHeader& header, ByteView payload);

// Parses and verifies a whole shard object. kDataLoss naming the first
// problem: truncated, bad magic, unknown version, k/m/index out of range,
// payload size inconsistent with the pack size, object size inconsistent with
// the payload size, checksum mismatch.
Result<Shard> ParseShard(ByteView object);

// Parses just the first kShardHeaderSize bytes (from a ranged read), checking
// every field but not the checksum, which needs the whole payload.
Result<ShardHeader> ParseShardHeader(ByteView header);

}  // namespace arkiv::placement
