#include "placement/shard_range.h"

#include <fmt/format.h>

#include <algorithm>

#include "placement/erasure_code.h"

namespace arkiv::placement {

Result<std::vector<ShardRange>> ShardRangesFor(int data_shards, uint64_t pack_size, uint64_t offset, uint64_t length) {
  if (data_shards < 1) return Fail(Code::kInvalidArgument, fmt::format("{} data shards", data_shards));
  if (offset > pack_size || length > pack_size - offset) {
    return Fail(Code::kInvalidArgument, fmt::format("range of {} bytes at offset {} is not inside a pack of {} bytes",
                                                    length, offset, pack_size));
  }
  uint64_t shard_size = ShardSizeFor(pack_size, data_shards);
  std::vector<ShardRange> ranges;
  uint64_t end = offset + length;
  for (uint64_t at = offset; at < end;) {
    // at < pack_size ≤ k·S, so the shard index is < k.
    uint64_t shard = at / shard_size;
    uint64_t within = at % shard_size;
    uint64_t n = std::min(shard_size - within, end - at);
    ranges.push_back(ShardRange{static_cast<int>(shard), within, n});
    at += n;
  }
  return ranges;
}

}  // namespace arkiv::placement
