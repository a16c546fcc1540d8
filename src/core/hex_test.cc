#include "core/hex.h"

#include <gtest/gtest.h>

#include <random>

namespace arkiv {
namespace {

Bytes RandomBytesForTest(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  Bytes out(n);
  for (auto& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

TEST(HexTest, EncodesLowerCase) {
  EXPECT_EQ(HexEncode(Bytes{0x00, 0x01, 0xab, 0xff}), "0001abff");
  EXPECT_EQ(HexEncode(Bytes{}), "");
}

TEST(HexTest, DecodesEitherCase) {
  EXPECT_EQ(HexDecode("0001abff"), (Bytes{0x00, 0x01, 0xab, 0xff}));
  EXPECT_EQ(HexDecode("ABFF"), (Bytes{0xab, 0xff}));
  EXPECT_EQ(HexDecode(""), Bytes{});
}

TEST(HexTest, RoundTripsEveryLength) {
  for (size_t n = 0; n < 70; ++n) {
    Bytes data = RandomBytesForTest(n, static_cast<uint32_t>(n));
    EXPECT_EQ(HexDecode(HexEncode(data)), data) << n;
  }
}

TEST(HexTest, RejectsBadInput) {
  for (std::string_view bad : {"0", "abc", "0g", "g0", "zz", " 00", "00 ", "0x00", "-1", "\xff\xff"}) {
    EXPECT_FALSE(HexDecode(bad).has_value()) << bad;
  }
  EXPECT_FALSE(HexDecode(std::string_view("0\0", 2)).has_value());
}

TEST(Base64Test, KnownAnswersFromRfc4648) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : cases) {
    EXPECT_EQ(Base64Encode(AsBytes(plain)), encoded);
    EXPECT_EQ(Base64Decode(encoded), ToBytes(plain)) << encoded;
  }
  EXPECT_EQ(Base64Encode(Bytes{0xfb, 0xff, 0xbf}), "+/+/");
}

TEST(Base64Test, RoundTripsEveryLength) {
  for (size_t n = 0; n < 70; ++n) {
    Bytes data = RandomBytesForTest(n, static_cast<uint32_t>(1000 + n));
    std::string text = Base64Encode(data);
    EXPECT_EQ(text.size() % 4, 0u);
    EXPECT_EQ(Base64Decode(text), data) << n;
  }
}

TEST(Base64Test, RejectsBadInput) {
  for (std::string_view bad : {
           "Zg",        // not a multiple of 4
           "Zg=",       // not a multiple of 4
           "Z===",      // too much padding
           "====",      // only padding
           "Zg==Zm8=",  // padding in the middle
           "Zm=v",      // data after padding
           "Zm9v\n",    // whitespace
           "Zm 9",      // whitespace
           "Zm9-",      // base64url alphabet
           "Zm9_",      // base64url alphabet
           "Zh==",      // non-zero trailing bits ("f" is "Zg==")
           "Zm9=",      // non-zero trailing bits ("fo" is "Zm8=")
       }) {
    EXPECT_FALSE(Base64Decode(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace arkiv
