#include "placement/shard.h"

#include <gtest/gtest.h>

#include <cstring>
#include <functional>

#include "crypto/sha256.h"
#include "placement/erasure_code.h"
#include "placement/placement_test_util.h"

namespace arkiv::placement {
namespace {

using testing::FailedWith;
using testing::RandomBytes;

Id SomeId(uint8_t seed) {
  std::array<uint8_t, Id::kSize> bytes;
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(seed + 3 * i);
  return Id(bytes);
}

// Shard 4 of a 3+2 code over a 10-byte pack: payloads of 4 bytes.
ShardHeader SampleHeader() {
  return ShardHeader{3, 2, 4, 10, SomeId(9)};
}
const Bytes kSamplePayload = {0xde, 0xad, 0xbe, 0xef};

Bytes SampleShard() {
  auto object = EncodeShard(SampleHeader(), kSamplePayload);
  EXPECT_TRUE(object.has_value()) << object.error().ToString();
  return *object;
}

// Recomputes the checksum after a test edited header fields, so that the
// field checks, not the checksum, must catch the edit (a buggy writer).
Bytes Reseal(Bytes object) {
  crypto::Sha256Stream hash;
  hash.Update(ByteView(object).subspan(0, 56));
  hash.Update(ByteView(object).subspan(kShardHeaderSize));
  Id checksum = hash.Finish();
  std::memcpy(&object[56], checksum.bytes().data(), Id::kSize);
  return object;
}

void PutU64At(Bytes& object, size_t offset, uint64_t v) {
  for (int i = 0; i < 8; ++i) object[offset + i] = static_cast<uint8_t>(v >> (8 * i));
}

TEST(ShardTest, HeaderIsLaidOutAsDocumented) {
  Bytes object = SampleShard();
  ASSERT_EQ(object.size(), kShardHeaderSize + 4);
  Bytes expected = {'A', 'R', 'K', 'S', 1, 3, 2, 4};
  for (uint64_t v : {uint64_t{10}, uint64_t{4}}) {
    for (int i = 0; i < 8; ++i) expected.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  const Id id = SomeId(9);
  expected.insert(expected.end(), id.bytes().begin(), id.bytes().end());
  ASSERT_EQ(expected.size(), 56u);
  crypto::Sha256Stream hash;
  hash.Update(expected);
  hash.Update(kSamplePayload);
  const auto checksum = hash.Finish().bytes();
  expected.insert(expected.end(), checksum.begin(), checksum.end());
  expected.insert(expected.end(), kSamplePayload.begin(), kSamplePayload.end());
  EXPECT_EQ(object, expected);
}

TEST(ShardTest, RoundTrips) {
  for (auto [k, m, pack_size] :
       {std::tuple{3, 2, uint64_t{10}}, {1, 0, 0}, {1, 1, 1}, {10, 4, 100003}, {16, 16, 4096}, {2, 1, 65537}}) {
    for (int index : {0, k + m - 1}) {
      ShardHeader header{k, m, index, pack_size, crypto::Sha256(AsBytes("pack"))};
      Bytes payload = RandomBytes(header.payload_size(), pack_size + index);
      PLACEMENT_ASSERT_OK_AND_ASSIGN(Bytes object, EncodeShard(header, payload));
      EXPECT_EQ(object.size(), kShardHeaderSize + payload.size());
      PLACEMENT_ASSERT_OK_AND_ASSIGN(Shard shard, ParseShard(object));
      EXPECT_EQ(shard.header, header);
      EXPECT_EQ(shard.payload, payload);
      PLACEMENT_ASSERT_OK_AND_ASSIGN(ShardHeader alone,
                                     ParseShardHeader(ByteView(object).subspan(0, kShardHeaderSize)));
      EXPECT_EQ(alone, header);
    }
  }
}

TEST(ShardTest, EveryTruncationIsRejected) {
  Bytes object = SampleShard();
  for (size_t n = 0; n < object.size(); ++n) {
    EXPECT_TRUE(FailedWith(ParseShard(ByteView(object).subspan(0, n)), Code::kDataLoss, "truncated")) << n;
  }
  EXPECT_TRUE(FailedWith(ParseShard(ByteView(object).subspan(0, 87)), Code::kDataLoss, "87 bytes"));
  EXPECT_TRUE(FailedWith(ParseShard(ByteView(object).subspan(0, 90)), Code::kDataLoss, "truncated by 2 bytes"));
  object.push_back(0);
  EXPECT_TRUE(FailedWith(ParseShard(object), Code::kDataLoss, "too long by 1 bytes"));
}

TEST(ShardTest, EveryFlippedBitIsRejected) {
  const Bytes object = SampleShard();
  for (size_t byte = 0; byte < object.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      Bytes damaged = object;
      damaged[byte] ^= static_cast<uint8_t>(1u << bit);
      EXPECT_EQ(CodeOf(ParseShard(damaged)), Code::kDataLoss) << "byte " << byte << " bit " << bit;
    }
  }
}

TEST(ShardTest, ChecksumCoversHeaderAndPayload) {
  Bytes object = SampleShard();
  object[24] ^= 0x40;  // pack id
  EXPECT_TRUE(FailedWith(ParseShard(object), Code::kDataLoss, "checksum mismatch"));
  object = SampleShard();
  object.back() ^= 0x01;  // payload
  EXPECT_TRUE(FailedWith(ParseShard(object), Code::kDataLoss, "checksum mismatch"));
  object = SampleShard();
  object[60] ^= 0x01;  // the checksum itself
  EXPECT_TRUE(FailedWith(ParseShard(object), Code::kDataLoss, "checksum mismatch"));
}

// Each field check on its own, with a checksum that matches the bad fields.
TEST(ShardTest, InconsistentFieldsAreRejectedEvenWithAValidChecksum) {
  struct Case {
    const char* what;
    std::function<void(Bytes&)> edit;
    const char* message;
  };
  std::vector<Case> cases = {
      {"magic", [](Bytes& o) { o[3] = 'P'; }, "bad magic"},
      {"version 0", [](Bytes& o) { o[4] = 0; }, "version 0 is not supported"},
      {"version 2", [](Bytes& o) { o[4] = 2; }, "version 2 is not supported"},
      {"k = 0", [](Bytes& o) { o[5] = 0; }, "erasure code 0+2 out of range"},
      {"k + m = 33", [](Bytes& o) { o[5] = 31; }, "erasure code 31+2 out of range"},
      {"m = 255", [](Bytes& o) { o[6] = 255; }, "erasure code 3+255 out of range"},
      {"index = k + m", [](Bytes& o) { o[7] = 5; }, "shard index 5 out of range for 3+2"},
      {"index = 255", [](Bytes& o) { o[7] = 255; }, "shard index 255 out of range"},
      {"payload size", [](Bytes& o) { PutU64At(o, 16, 5); }, "payload size 5 does not match pack size 10"},
      {"pack size", [](Bytes& o) { PutU64At(o, 8, 13); }, "payload size 4 does not match pack size 13"},
      {"pack size overflowing",
       [](Bytes& o) {
         PutU64At(o, 8, UINT64_MAX);
         PutU64At(o, 16, ShardSizeFor(UINT64_MAX, 3));
       },
       "truncated"},
  };
  for (const Case& c : cases) {
    Bytes object = SampleShard();
    c.edit(object);
    object = Reseal(std::move(object));
    EXPECT_TRUE(FailedWith(ParseShard(object), Code::kDataLoss, c.message)) << c.what;
  }
  // A consistent edit with a matching checksum is a different, valid shard:
  // what the checksum guards against is damage, not a writer that lies.
  Bytes other = SampleShard();
  PutU64At(other, 8, 12);  // 12 bytes over 3 shards: payload still 4
  EXPECT_EQ(CodeOf(ParseShard(Reseal(other))), Code::kOk);
}

TEST(ShardTest, ParseShardHeaderChecksFieldsButNotTheChecksum) {
  Bytes object = SampleShard();
  object[60] ^= 0x01;
  PLACEMENT_ASSERT_OK_AND_ASSIGN(ShardHeader header, ParseShardHeader(object));
  EXPECT_EQ(header, SampleHeader());
  EXPECT_TRUE(FailedWith(ParseShardHeader(ByteView(object).subspan(0, 50)), Code::kDataLoss, "truncated: 50 bytes"));
  object[7] = 9;
  EXPECT_TRUE(FailedWith(ParseShardHeader(object), Code::kDataLoss, "shard index 9"));
}

TEST(ShardTest, EncodeRefusesWhatParseWouldReject) {
  EXPECT_TRUE(FailedWith(EncodeShard(ShardHeader{3, 2, 4, 10, SomeId(1)}, Bytes(5)), Code::kInvalidArgument,
                         "payload has 5 bytes, expected 4"));
  EXPECT_TRUE(
      FailedWith(EncodeShard(ShardHeader{0, 2, 0, 10, SomeId(1)}, Bytes(4)), Code::kInvalidArgument, "out of range"));
  EXPECT_TRUE(
      FailedWith(EncodeShard(ShardHeader{20, 13, 0, 20, SomeId(1)}, Bytes(1)), Code::kInvalidArgument, "out of range"));
  EXPECT_TRUE(
      FailedWith(EncodeShard(ShardHeader{3, 2, 5, 10, SomeId(1)}, Bytes(4)), Code::kInvalidArgument, "shard index 5"));
  EXPECT_TRUE(FailedWith(EncodeShard(ShardHeader{3, 2, -1, 10, SomeId(1)}, Bytes(4)), Code::kInvalidArgument,
                         "shard index -1"));
}

}  // namespace
}  // namespace arkiv::placement
