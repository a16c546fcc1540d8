#include "core/id.h"

#include <gtest/gtest.h>

#include <unordered_set>

namespace arkiv {
namespace {

constexpr std::string_view kHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

TEST(IdTest, ParseAndHexRoundTrip) {
  auto id = Id::Parse(kHex);
  ASSERT_TRUE(id.has_value());
  for (size_t i = 0; i < Id::kSize; ++i) EXPECT_EQ(id->bytes()[i], i);
  EXPECT_EQ(id->Hex(), kHex);
  EXPECT_EQ(id->Short(), "00010203");
  EXPECT_FALSE(id->IsZero());
}

TEST(IdTest, ParseAcceptsUpperCaseButPrintsLowerCase) {
  std::string upper = "ABCDEF" + std::string(kHex.substr(6));
  auto id = Id::Parse(upper);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->Hex(), "abcdef" + std::string(kHex.substr(6)));
}

TEST(IdTest, ParseRejectsWrongLengthOrDigits) {
  EXPECT_FALSE(Id::Parse("").has_value());
  EXPECT_FALSE(Id::Parse(kHex.substr(0, 62)).has_value());
  EXPECT_FALSE(Id::Parse(std::string(kHex) + "00").has_value());
  EXPECT_FALSE(Id::Parse(kHex.substr(0, 63)).has_value());
  std::string bad(kHex);
  bad[40] = 'g';
  EXPECT_FALSE(Id::Parse(bad).has_value());
}

TEST(IdTest, DefaultIsZeroAndOrdersBytewise) {
  Id zero;
  EXPECT_TRUE(zero.IsZero());
  EXPECT_EQ(zero.Hex(), std::string(64, '0'));
  auto a = *Id::Parse("01" + std::string(62, '0'));
  auto b = *Id::Parse("02" + std::string(62, '0'));
  auto c = *Id::Parse("01" + std::string(61, '0') + "1");
  EXPECT_LT(zero, a);
  EXPECT_LT(a, c);
  EXPECT_LT(c, b);
  EXPECT_EQ(a, *Id::Parse(a.Hex()));
  EXPECT_NE(a, b);
}

TEST(IdTest, FromBytesCopiesAllBytes) {
  Bytes raw(Id::kSize);
  for (size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<uint8_t>(0xff - i);
  Id id = Id::FromBytes(raw);
  EXPECT_TRUE(std::equal(raw.begin(), raw.end(), id.bytes().begin()));
}

TEST(IdTest, HashDistinguishesIds) {
  std::unordered_set<Id, IdHash> set;
  for (int i = 0; i < 100; ++i) {
    std::array<uint8_t, Id::kSize> bytes{};
    bytes[0] = static_cast<uint8_t>(i);
    set.insert(Id(bytes));
    set.insert(Id(bytes));
  }
  EXPECT_EQ(set.size(), 100u);
}

}  // namespace
}  // namespace arkiv
