#include "placement/erasure_code.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <random>

#include "placement/placement_test_util.h"

namespace arkiv::placement {
namespace {

using testing::FailedWith;
using testing::RandomBytes;
using Shards = std::vector<std::optional<Bytes>>;

// GF(2^8) with the polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11D), written out
// independently of ISA-L: it pins the stored format to the math in
// docs/design.md, whatever a later ISA-L does.
uint8_t ReferenceMultiply(uint8_t a, uint8_t b) {
  uint8_t product = 0;
  for (; b != 0; b >>= 1) {
    if (b & 1) product ^= a;
    a = static_cast<uint8_t>((a << 1) ^ ((a & 0x80) ? 0x1D : 0));
  }
  return product;
}
uint8_t ReferenceInverse(uint8_t a) {
  for (int x = 1; x < 256; ++x) {
    if (ReferenceMultiply(a, static_cast<uint8_t>(x)) == 1) return static_cast<uint8_t>(x);
  }
  ADD_FAILURE() << "no inverse of " << int(a);
  return 0;
}

ErasureCode MakeCode(int k, int m) {
  auto code = ErasureCode::Create(k, m);
  EXPECT_TRUE(code.has_value()) << code.error().ToString();
  return std::move(*code);
}

Shards AllPresent(const std::vector<Bytes>& shards) {
  return Shards(shards.begin(), shards.end());
}

Shards Without(const std::vector<Bytes>& shards, uint32_t lost_mask) {
  Shards out = AllPresent(shards);
  for (size_t i = 0; i < out.size(); ++i) {
    if (lost_mask & (1u << i)) out[i].reset();
  }
  return out;
}

// Decodes and reconstructs with the shards of `lost_mask` missing; both must
// give back exactly what was encoded.
void ExpectRecovers(const ErasureCode& code, const Bytes& data, const std::vector<Bytes>& shards, uint32_t lost_mask) {
  SCOPED_TRACE(::testing::Message() << code.data_shards() << "+" << code.parity_shards() << ", " << data.size()
                                    << " bytes, lost mask 0x" << std::hex << lost_mask);
  Shards partial = Without(shards, lost_mask);
  PLACEMENT_ASSERT_OK_AND_ASSIGN(Bytes decoded, code.Decode(partial, data.size()));
  ASSERT_TRUE(decoded == data);
  PLACEMENT_ASSERT_OK(code.Reconstruct(partial));
  for (size_t i = 0; i < shards.size(); ++i) {
    ASSERT_TRUE(partial[i].has_value()) << "shard " << i;
    ASSERT_TRUE(*partial[i] == shards[i]) << "shard " << i << " rebuilt wrong";
  }
}

TEST(ErasureCodeTest, CreateValidatesTheShape) {
  for (auto [k, m] : {std::pair{0, 0}, {0, 2}, {-1, 1}, {1, -1}, {32, 1}, {17, 16}, {1, 32}}) {
    EXPECT_TRUE(FailedWith(ErasureCode::Create(k, m), Code::kInvalidArgument, "erasure code")) << k << "+" << m;
  }
  for (auto [k, m] : {std::pair{1, 0}, {1, 31}, {31, 1}, {32, 0}, {16, 16}}) {
    auto code = ErasureCode::Create(k, m);
    ASSERT_TRUE(code.has_value()) << k << "+" << m;
    EXPECT_EQ(code->data_shards(), k);
    EXPECT_EQ(code->parity_shards(), m);
    EXPECT_EQ(code->total_shards(), k + m);
  }
}

TEST(ErasureCodeTest, ShardSizeIsTheCeilingOfSizeOverK) {
  EXPECT_EQ(ShardSizeFor(0, 3), 0u);
  EXPECT_EQ(ShardSizeFor(1, 3), 1u);
  EXPECT_EQ(ShardSizeFor(3, 3), 1u);
  EXPECT_EQ(ShardSizeFor(4, 3), 2u);
  EXPECT_EQ(ShardSizeFor(16u << 20, 1), 16u << 20);
  EXPECT_EQ(ShardSizeFor((16u << 20) + 5, 4), (4u << 20) + 2);
  EXPECT_EQ(ShardSizeFor(UINT64_MAX, 2), (UINT64_MAX / 2) + 1);  // no overflow
}

TEST(ErasureCodeTest, DataShardsAreTheDataInOrderZeroPadded) {
  ErasureCode code = MakeCode(3, 2);
  Bytes data = RandomBytes(10, 1);
  std::vector<Bytes> shards = code.Encode(data);
  ASSERT_EQ(shards.size(), 5u);
  EXPECT_EQ(shards[0], Bytes(data.begin(), data.begin() + 4));
  EXPECT_EQ(shards[1], Bytes(data.begin() + 4, data.begin() + 8));
  EXPECT_EQ(shards[2], (Bytes{data[8], data[9], 0, 0}));
  EXPECT_EQ(shards[3].size(), 4u);
  EXPECT_EQ(shards[4].size(), 4u);
}

TEST(ErasureCodeTest, ParityMatchesTheCauchyMatrixOfTheFormat) {
  for (auto [k, m] : {std::pair{1, 1}, {3, 2}, {10, 4}, {4, 28}}) {
    ErasureCode code = MakeCode(k, m);
    Bytes data = RandomBytes(size_t(k) * 70 - 3, k * 100 + m);
    std::vector<Bytes> shards = code.Encode(data);
    size_t size = shards[0].size();
    for (int p = 0; p < m; ++p) {
      Bytes expected(size, 0);
      for (int j = 0; j < k; ++j) {
        uint8_t coefficient = ReferenceInverse(static_cast<uint8_t>((k + p) ^ j));
        for (size_t b = 0; b < size; ++b) expected[b] ^= ReferenceMultiply(coefficient, shards[j][b]);
      }
      EXPECT_EQ(shards[k + p], expected) << k << "+" << m << " parity " << p;
    }
  }
}

// Sizes around every boundary: empty, smaller than k, one byte per shard,
// 64-byte SIMD widths, ISA-L's 64 KiB segments.
std::vector<size_t> SmallSizes(int k) {
  size_t kk = size_t(k);
  std::vector<size_t> sizes = {0, 1, kk - 1, kk, kk + 1, 64 * kk - 1, 64 * kk, 64 * kk + 1, 65535, 65536, 65537};
  std::sort(sizes.begin(), sizes.end());
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  return sizes;
}

class ErasureCodeShapeTest : public ::testing::TestWithParam<std::pair<int, int>> {};

TEST_P(ErasureCodeShapeTest, EveryPatternOfUpToMLostShardsRoundTrips) {
  auto [k, m] = GetParam();
  ErasureCode code = MakeCode(k, m);
  int n = k + m;
  for (size_t size : SmallSizes(k)) {
    Bytes data = RandomBytes(size, size * 31 + k);
    std::vector<Bytes> shards = code.Encode(data);
    ASSERT_EQ(shards.size(), size_t(n));
    for (const Bytes& shard : shards) ASSERT_EQ(shard.size(), code.ShardSize(size));
    for (uint32_t lost = 0; lost < (1u << n); ++lost) {
      if (std::popcount(lost) > m) continue;
      ExpectRecovers(code, data, shards, lost);
      if (HasFatalFailure()) return;
    }
  }
}

TEST_P(ErasureCodeShapeTest, LargePackRoundTripsWithRandomLosses) {
  auto [k, m] = GetParam();
  ErasureCode code = MakeCode(k, m);
  int n = k + m;
  Bytes data = RandomBytes((16u << 20) + 5, 77 + k);
  std::vector<Bytes> shards = code.Encode(data);
  std::mt19937 rng(k * 100 + m);
  // The worst case (the first m data shards lost) and two random patterns of m.
  std::vector<uint32_t> patterns = {(1u << std::min(m, k)) - 1};
  for (int round = 0; round < 2; ++round) {
    std::vector<int> indices(n);
    for (int i = 0; i < n; ++i) indices[i] = i;
    std::shuffle(indices.begin(), indices.end(), rng);
    uint32_t lost = 0;
    for (int i = 0; i < m; ++i) lost |= 1u << indices[i];
    patterns.push_back(lost);
  }
  for (uint32_t lost : patterns) {
    ExpectRecovers(code, data, shards, lost);
    if (HasFatalFailure()) return;
  }
}

TEST_P(ErasureCodeShapeTest, MoreThanMLostIsDataLoss) {
  auto [k, m] = GetParam();
  ErasureCode code = MakeCode(k, m);
  Bytes data = RandomBytes(1000, 5);
  std::vector<Bytes> shards = code.Encode(data);
  // The last m+1 shards: parity and at least one data shard.
  uint32_t lost = ((1u << (m + 1)) - 1) << (k - 1);
  Shards partial = Without(shards, lost);
  std::string expected = fmt::format("found {} of {} shards", k - 1, k + m);
  EXPECT_TRUE(FailedWith(code.Decode(partial, data.size()), Code::kDataLoss, expected));
  EXPECT_TRUE(FailedWith(code.Decode(partial, data.size()), Code::kDataLoss, fmt::format("need {}", k)));
  Shards before = partial;
  EXPECT_TRUE(FailedWith(code.Reconstruct(partial), Code::kDataLoss, expected));
  EXPECT_EQ(partial, before);
}

INSTANTIATE_TEST_SUITE_P(Shapes, ErasureCodeShapeTest,
                         ::testing::Values(std::pair{1, 0}, std::pair{1, 1}, std::pair{2, 1}, std::pair{3, 2},
                                           std::pair{4, 2}, std::pair{6, 3}, std::pair{10, 4}),
                         [](const auto& info) { return fmt::format("k{}_m{}", info.param.first, info.param.second); });

// The widest shapes: any k of the 32 shards decode (Cauchy: every k×k
// submatrix is invertible).
TEST(ErasureCodeTest, AnyKOfThirtyTwoShardsDecode) {
  std::mt19937 rng(32);
  for (auto [k, m] : {std::pair{16, 16}, {31, 1}, {1, 31}, {8, 24}, {24, 8}}) {
    ErasureCode code = MakeCode(k, m);
    Bytes data = RandomBytes(size_t(k) * 100 + 7, k);
    std::vector<Bytes> shards = code.Encode(data);
    for (int round = 0; round < 20; ++round) {
      std::vector<int> indices(k + m);
      for (int i = 0; i < k + m; ++i) indices[i] = i;
      std::shuffle(indices.begin(), indices.end(), rng);
      uint32_t lost = 0;
      for (int i = 0; i < m; ++i) lost |= 1u << indices[i];
      ExpectRecovers(code, data, shards, lost);
      if (HasFatalFailure()) return;
    }
  }
}

TEST(ErasureCodeTest, DecodeRejectsMismatchedShards) {
  ErasureCode code = MakeCode(3, 2);
  Bytes data = RandomBytes(100, 9);
  Shards shards = AllPresent(code.Encode(data));

  Shards too_few(shards.begin(), shards.end() - 1);
  EXPECT_TRUE(FailedWith(code.Decode(too_few, data.size()), Code::kInvalidArgument, "got 4 shards, expected 5"));
  Shards too_many = shards;
  too_many.push_back(Bytes(34));
  EXPECT_TRUE(FailedWith(code.Decode(too_many, data.size()), Code::kInvalidArgument, "got 6 shards, expected 5"));

  Shards short_shard = shards;
  short_shard[3]->pop_back();
  EXPECT_TRUE(FailedWith(code.Decode(short_shard, data.size()), Code::kInvalidArgument, "shard 3 has 33 bytes"));
  // A data size that needs other shard sizes.
  EXPECT_TRUE(FailedWith(code.Decode(shards, 200), Code::kInvalidArgument, "expected 67"));
}

TEST(ErasureCodeTest, DecodeNoticesShardsThatDoNotBelongTogether) {
  ErasureCode code = MakeCode(3, 2);
  Bytes data = RandomBytes(10, 3);  // shards of 4 bytes; the last has 2 bytes of padding
  std::vector<Bytes> shards = code.Encode(data);
  // Shard 2 is rebuilt from shards 0, 1 and 3; every source has a nonzero
  // coefficient, so a change to shard 3's last byte lands in the padding.
  shards[3][3] ^= 0x01;
  EXPECT_TRUE(FailedWith(code.Decode(Without(shards, 1u << 2), data.size()), Code::kDataLoss, "padding"));
  // A decoded data shard that is present as is has nonzero padding, too.
  shards = code.Encode(data);
  shards[2][3] = 7;
  EXPECT_TRUE(FailedWith(code.Decode(AllPresent(shards), data.size()), Code::kDataLoss, "padding"));
}

TEST(ErasureCodeTest, ReconstructRejectsShardsOfDifferentSizes) {
  ErasureCode code = MakeCode(2, 1);
  Shards shards = AllPresent(code.Encode(RandomBytes(50, 4)));
  shards[0]->push_back(0);
  shards[2].reset();
  Shards before = shards;
  EXPECT_TRUE(FailedWith(code.Reconstruct(shards), Code::kInvalidArgument, "shard 0 has 26 bytes, shard 1 has 25"));
  EXPECT_EQ(shards, before);
  Shards wrong_count(2);
  EXPECT_TRUE(FailedWith(code.Reconstruct(wrong_count), Code::kInvalidArgument, "got 2 shards, expected 3"));
}

TEST(ErasureCodeTest, ReconstructWorksOnTheSameRangeOfEveryShard) {
  ErasureCode code = MakeCode(4, 2);
  std::vector<Bytes> shards = code.Encode(RandomBytes(100000, 8));
  // Bytes [1000, 1300) of each shard; data shards 1 and 2 lost.
  Shards pieces;
  for (const Bytes& shard : shards) pieces.emplace_back(Bytes(shard.begin() + 1000, shard.begin() + 1300));
  pieces[1].reset();
  pieces[2].reset();
  PLACEMENT_ASSERT_OK(code.Reconstruct(pieces));
  for (int i : {1, 2}) EXPECT_EQ(*pieces[i], Bytes(shards[i].begin() + 1000, shards[i].begin() + 1300)) << i;
}

TEST(ErasureCodeTest, ReconstructWithNothingMissingChangesNothing) {
  ErasureCode code = MakeCode(4, 2);
  std::vector<Bytes> encoded = code.Encode(RandomBytes(1234, 6));
  Shards shards = AllPresent(encoded);
  PLACEMENT_ASSERT_OK(code.Reconstruct(shards));
  EXPECT_EQ(shards, AllPresent(encoded));
}

}  // namespace
}  // namespace arkiv::placement
