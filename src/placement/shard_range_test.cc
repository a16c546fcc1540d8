#include "placement/shard_range.h"

#include <gtest/gtest.h>

#include "crypto/sha256.h"
#include "placement/erasure_code.h"
#include "placement/pack_shards.h"
#include "placement/placement_test_util.h"

namespace arkiv::placement {
namespace {

using testing::FailedWith;
using testing::RandomBytes;

// Byte by byte: pack byte b is byte b mod S of data shard b div S; runs of
// consecutive bytes in one shard merge into one range.
std::vector<ShardRange> BruteForce(int k, uint64_t pack_size, uint64_t offset, uint64_t length) {
  uint64_t s = ShardSizeFor(pack_size, k);
  std::vector<ShardRange> ranges;
  for (uint64_t b = offset; b < offset + length; ++b) {
    int shard = static_cast<int>(b / s);
    if (ranges.empty() || ranges.back().shard != shard) ranges.push_back(ShardRange{shard, b % s, 0});
    ++ranges.back().length;
  }
  return ranges;
}

TEST(ShardRangeTest, MatchesBruteForceForEverySmallRange) {
  for (int k = 1; k <= 6; ++k) {
    for (uint64_t pack_size = 0; pack_size <= 25; ++pack_size) {
      for (uint64_t offset = 0; offset <= pack_size; ++offset) {
        for (uint64_t length = 0; offset + length <= pack_size; ++length) {
          PLACEMENT_ASSERT_OK_AND_ASSIGN(auto ranges, ShardRangesFor(k, pack_size, offset, length));
          ASSERT_EQ(ranges, BruteForce(k, pack_size, offset, length))
              << "k " << k << ", pack " << pack_size << ", [" << offset << ", +" << length << ")";
        }
      }
    }
  }
}

TEST(ShardRangeTest, RangesReadFromShardObjectsGiveThePackBytes) {
  Bytes pack = RandomBytes((1u << 20) + 5, 1);
  Id pack_id = crypto::Sha256(pack);
  for (auto [k, m] : {std::pair{1, 1}, {3, 2}, {4, 2}, {10, 4}}) {
    auto code = ErasureCode::Create(k, m);
    ASSERT_TRUE(code.has_value());
    std::vector<Bytes> objects = SplitPack(*code, pack_id, pack);
    uint64_t s = code->ShardSize(pack.size());
    // Ranges inside one shard, across one boundary, across all, at both ends.
    for (auto [offset, length] : {std::pair<uint64_t, uint64_t>{0, 1},
                                  {0, pack.size()},
                                  {s - 1, 2},
                                  {s, s},
                                  {s / 2, s * (k - 1)},
                                  {pack.size() - 1, 1},
                                  {pack.size(), 0},
                                  {12345, 67890}}) {
      if (offset + length > pack.size()) continue;
      PLACEMENT_ASSERT_OK_AND_ASSIGN(auto ranges, ShardRangesFor(k, pack.size(), offset, length));
      Bytes read;
      for (const ShardRange& r : ranges) {
        ASSERT_LT(r.shard, k);
        const Bytes& object = objects[r.shard];
        ASSERT_LE(r.object_offset() + r.length, object.size());
        read.insert(read.end(), object.begin() + r.object_offset(), object.begin() + r.object_offset() + r.length);
      }
      EXPECT_TRUE(read == Bytes(pack.begin() + offset, pack.begin() + offset + length))
          << k << "+" << m << " [" << offset << ", +" << length << ")";
    }
  }
}

TEST(ShardRangeTest, RangesOutsideThePackAreRejected) {
  EXPECT_TRUE(FailedWith(ShardRangesFor(3, 10, 11, 0), Code::kInvalidArgument, "not inside a pack of 10 bytes"));
  EXPECT_TRUE(FailedWith(ShardRangesFor(3, 10, 5, 6), Code::kInvalidArgument, "range of 6 bytes at offset 5"));
  EXPECT_TRUE(FailedWith(ShardRangesFor(3, 10, 1, UINT64_MAX), Code::kInvalidArgument, "not inside"));
  EXPECT_TRUE(FailedWith(ShardRangesFor(3, 0, 0, 1), Code::kInvalidArgument, "not inside"));
  EXPECT_TRUE(FailedWith(ShardRangesFor(0, 10, 0, 1), Code::kInvalidArgument, "0 data shards"));
  PLACEMENT_ASSERT_OK_AND_ASSIGN(auto none, ShardRangesFor(3, 10, 10, 0));
  EXPECT_TRUE(none.empty());
}

TEST(ShardRangeTest, HugePacksDoNotOverflow) {
  uint64_t size = UINT64_MAX - 1;
  PLACEMENT_ASSERT_OK_AND_ASSIGN(auto ranges, ShardRangesFor(7, size, size - 10, 10));
  ASSERT_EQ(ranges.size(), 1u);
  EXPECT_EQ(ranges[0].shard, 6);
  EXPECT_EQ(ranges[0].payload_offset + ranges[0].length, size - 6 * ShardSizeFor(size, 7));
}

}  // namespace
}  // namespace arkiv::placement
