#include "placement/pack_shards.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "crypto/sha256.h"
#include "placement/placement_test_util.h"

namespace arkiv::placement {
namespace {

using testing::FailedWith;
using testing::RandomBytes;

struct SplitFixture {
  Bytes pack;
  Id pack_id;
  std::vector<Bytes> objects;
};

SplitFixture Split(int k, int m, size_t size, uint64_t seed) {
  SplitFixture f;
  f.pack = RandomBytes(size, seed);
  f.pack_id = crypto::Sha256(f.pack);
  auto code = ErasureCode::Create(k, m);
  EXPECT_TRUE(code.has_value());
  f.objects = SplitPack(*code, f.pack_id, f.pack);
  return f;
}

std::vector<Shard> Parse(const std::vector<Bytes>& objects, std::initializer_list<int> indices) {
  std::vector<Shard> shards;
  for (int i : indices) {
    auto shard = ParseShard(objects[i]);
    EXPECT_TRUE(shard.has_value()) << shard.error().ToString();
    shards.push_back(std::move(*shard));
  }
  return shards;
}

TEST(PackShardsTest, SplitThenJoinFromAnyKShardsInAnyOrder) {
  SplitFixture f = Split(3, 2, 100000, 1);
  ASSERT_EQ(f.objects.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    PLACEMENT_ASSERT_OK_AND_ASSIGN(Shard shard, ParseShard(f.objects[i]));
    EXPECT_EQ(shard.header, (ShardHeader{3, 2, i, 100000, f.pack_id}));
  }
  for (auto indices : {std::vector{0, 1, 2}, {4, 3, 2}, {1, 4, 0}, {3, 0, 4, 1, 2}}) {
    std::vector<Shard> shards;
    for (int i : indices) shards.push_back(*ParseShard(f.objects[i]));
    PLACEMENT_ASSERT_OK_AND_ASSIGN(Bytes joined, JoinPack(f.pack_id, std::move(shards)));
    EXPECT_TRUE(joined == f.pack);
  }
}

TEST(PackShardsTest, EmptyPack) {
  SplitFixture f = Split(4, 2, 0, 2);
  for (const Bytes& object : f.objects) EXPECT_EQ(object.size(), kShardHeaderSize);
  PLACEMENT_ASSERT_OK_AND_ASSIGN(Bytes joined, JoinPack(f.pack_id, Parse(f.objects, {5, 4, 0, 1})));
  EXPECT_TRUE(joined.empty());
}

TEST(PackShardsTest, TooFewDistinctShardsIsDataLoss) {
  SplitFixture f = Split(3, 2, 1000, 3);
  EXPECT_TRUE(FailedWith(JoinPack(f.pack_id, Parse(f.objects, {0, 4})), Code::kDataLoss, "found 2 of 5 shards"));
  // Repeats of one shard count once.
  EXPECT_TRUE(FailedWith(JoinPack(f.pack_id, Parse(f.objects, {1, 1, 1, 4})), Code::kDataLoss, "found 2 of 5"));
  EXPECT_TRUE(FailedWith(JoinPack(f.pack_id, {}), Code::kDataLoss, "no shards"));
}

TEST(PackShardsTest, ShardsOfAnotherPackOrShapeAreRejected) {
  SplitFixture f = Split(3, 2, 1000, 4);
  SplitFixture other = Split(3, 2, 1000, 5);
  std::vector<Shard> shards = Parse(f.objects, {0, 1});
  shards.push_back(*ParseShard(other.objects[2]));
  EXPECT_TRUE(FailedWith(JoinPack(f.pack_id, std::move(shards)), Code::kDataLoss,
                         "shard 2 belongs to pack " + other.pack_id.Hex()));

  // Same pack id, but claiming another shape: a writer bug, never decoded.
  std::vector<Shard> mixed = Parse(f.objects, {0, 1, 2});
  mixed[2].header.parity_shards = 1;
  EXPECT_TRUE(FailedWith(JoinPack(f.pack_id, std::move(mixed)), Code::kDataLoss, "shard 2 says 3+1"));

  std::vector<Shard> out_of_range = Parse(f.objects, {0, 1, 2});
  out_of_range[1].header.index = 5;
  EXPECT_TRUE(FailedWith(JoinPack(f.pack_id, std::move(out_of_range)), Code::kDataLoss, "shard index 5 out of range"));
}

TEST(PackShardsTest, DecodedBytesAreCheckedAgainstThePackId) {
  SplitFixture f = Split(2, 1, 64, 6);
  // A shard with a valid checksum over wrong bytes (written wrong).
  PLACEMENT_ASSERT_OK_AND_ASSIGN(Shard bad, ParseShard(f.objects[1]));
  bad.payload[0] ^= 1;
  PLACEMENT_ASSERT_OK_AND_ASSIGN(Bytes rewritten, EncodeShard(bad.header, bad.payload));
  PLACEMENT_ASSERT_OK_AND_ASSIGN(Shard reparsed, ParseShard(rewritten));
  std::vector<Shard> shards = Parse(f.objects, {0});
  shards.push_back(std::move(reparsed));
  EXPECT_TRUE(FailedWith(JoinPack(f.pack_id, std::move(shards)), Code::kDataLoss, "do not match its id"));
}

TEST(PackShardsTest, LargePackSurvivesLosingMShards) {
  SplitFixture f = Split(4, 2, (16u << 20) + 5, 7);
  PLACEMENT_ASSERT_OK_AND_ASSIGN(Bytes joined, JoinPack(f.pack_id, Parse(f.objects, {5, 2, 4, 0})));
  EXPECT_TRUE(joined == f.pack);
}

}  // namespace
}  // namespace arkiv::placement
