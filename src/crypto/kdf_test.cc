#include "crypto/kdf.h"

#include <gtest/gtest.h>

#include "core/hex.h"
#include "core/status_test_util.h"

namespace arkiv::crypto {
namespace {

// RFC 7914 section 12 gives 64-byte outputs; scrypt's final step is
// PBKDF2-HMAC-SHA256, whose first block does not depend on the output
// length, so a 32-byte key is the first half of the published vector.
TEST(KdfTest, Rfc7914EmptyPasswordAndSalt) {
  auto key = DeriveKey("", ByteView(), ScryptParams{.n = 16, .r = 1, .p = 1});
  ASSERT_TRUE(key) << key.error().message();
  EXPECT_EQ(HexEncode(*key), "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442");
}

TEST(KdfTest, Rfc7914PasswordNaCl) {
  auto key = DeriveKey("password", AsBytes("NaCl"), ScryptParams{.n = 1024, .r = 8, .p = 16});
  ASSERT_TRUE(key) << key.error().message();
  EXPECT_EQ(HexEncode(*key), "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162");
}

TEST(KdfTest, PasswordAndSaltBothMatter) {
  ScryptParams params{.n = 16, .r = 1, .p = 1};
  auto a = DeriveKey("pw", AsBytes("salt"), params);
  auto b = DeriveKey("pX", AsBytes("salt"), params);
  auto c = DeriveKey("pw", AsBytes("salX"), params);
  auto again = DeriveKey("pw", AsBytes("salt"), params);
  ASSERT_TRUE(a && b && c && again);
  EXPECT_NE(*a, *b);
  EXPECT_NE(*a, *c);
  EXPECT_EQ(*a, *again);
}

TEST(KdfTest, ParametersOutOfBoundsAreInvalidArgument) {
  const ScryptParams bad[] = {
      {.n = 0, .r = 1, .p = 1},
      {.n = 1, .r = 1, .p = 1},
      {.n = 1000, .r = 1, .p = 1},  // not a power of two
      {.n = kMaxScryptN * 2, .r = 1, .p = 1},
      {.n = 16, .r = 0, .p = 1},
      {.n = 16, .r = kMaxScryptR + 1, .p = 1},
      {.n = 16, .r = 1, .p = 0},
      {.n = 16, .r = 1, .p = kMaxScryptP + 1},
      // Each bound holds, but together they need 16 GiB.
      {.n = kMaxScryptN, .r = kMaxScryptR, .p = 1},
      // 2 GiB in one lane.
      {.n = 1 << 21, .r = 8, .p = 1},
      // 1 GiB per lane is allowed, but not in 5 lanes (5 GiB of work).
      {.n = 1 << 20, .r = 8, .p = 5},
  };
  for (const auto& params : bad) {
    auto key = DeriveKey("pw", AsBytes("salt"), params);
    ASSERT_FALSE(key) << params.n << " " << params.r << " " << params.p;
    EXPECT_EQ(CodeOf(key), Code::kInvalidArgument);
  }
}

TEST(KdfTest, EveryCostTheCommandLineOffersIsWithinTheBounds) {
  // init/key add --kdf-cost take kMinScryptCost..kMaxScryptCost: all of them
  // must open again, and the default must be one of them.
  EXPECT_LE(kMinScryptCost, kDefaultScryptCost);
  EXPECT_LE(kDefaultScryptCost, kMaxScryptCost);
  EXPECT_EQ(ScryptParamsForCost(kDefaultScryptCost).n, ScryptParams{}.n);
  for (int cost = kMinScryptCost; cost <= kMaxScryptCost; ++cost) {
    EXPECT_TRUE(CheckScryptParams(ScryptParamsForCost(cost))) << cost;
  }
  EXPECT_FALSE(CheckScryptParams(ScryptParamsForCost(kMaxScryptCost + 1)));
}

TEST(KdfTest, LargestBoundsStillAccepted) {
  // Cheap corners of the allowed range; the memory corner is not run here.
  EXPECT_TRUE(DeriveKey("pw", AsBytes("s"), ScryptParams{.n = 2, .r = kMaxScryptR, .p = 1}));
  EXPECT_TRUE(DeriveKey("pw", AsBytes("s"), ScryptParams{.n = 2, .r = 1, .p = kMaxScryptP}));
}

}  // namespace
}  // namespace arkiv::crypto
