// Which parts of which data shards hold a byte range of the original pack, so
// that a restore of a few blobs reads only those bytes with ranged Gets
// instead of fetching k whole shards.
//
// Pack bytes are laid out in order over the data shards (erasure_code.h):
// with S = ceil(pack_size / k), shard i holds pack bytes [i·S, (i+1)·S).
#pragma once

#include <cstdint>
#include <vector>

#include "core/status.h"
#include "placement/shard.h"

namespace arkiv::placement {

struct ShardRange {
  int shard = 0;                // data shard index, < k
  uint64_t payload_offset = 0;  // within the shard's payload
  uint64_t length = 0;          // > 0

  // Where the bytes are in the stored shard object, for Store::Get.
  uint64_t object_offset() const { return kShardHeaderSize + payload_offset; }
  bool operator==(const ShardRange&) const = default;
};

// The pieces of pack bytes [offset, offset + length), in pack order: one per
// data shard the range touches, none for an empty range.
// kInvalidArgument if data_shards < 1 or the range is not inside the pack
// (offset + length > pack_size, overflow included).
Result<std::vector<ShardRange>> ShardRangesFor(int data_shards, uint64_t pack_size, uint64_t offset, uint64_t length);

}  // namespace arkiv::placement
