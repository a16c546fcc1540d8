#include "core/byte_size.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/status_test_util.h"

namespace arkiv {
namespace {

TEST(ByteSizeTest, PlainNumbersAreBytes) {
  EXPECT_EQ(*ParseByteSize("0"), 0u);
  EXPECT_EQ(*ParseByteSize("1000"), 1000u);
  EXPECT_EQ(*ParseByteSize("17B"), 17u);
  EXPECT_EQ(*ParseByteSize("18446744073709551615"), UINT64_MAX);
}

TEST(ByteSizeTest, BinaryUnitsAndBareLetters) {
  EXPECT_EQ(*ParseByteSize("500KiB"), 500u * 1024);
  EXPECT_EQ(*ParseByteSize("10MiB"), 10u << 20);
  EXPECT_EQ(*ParseByteSize("2GiB"), uint64_t{2} << 30);
  EXPECT_EQ(*ParseByteSize("3TiB"), uint64_t{3} << 40);
  EXPECT_EQ(*ParseByteSize("2M"), 2u << 20);
  EXPECT_EQ(*ParseByteSize("4k"), 4096u);
  EXPECT_EQ(*ParseByteSize("10mib"), 10u << 20);  // case-insensitive
  EXPECT_EQ(*ParseByteSize("10 MiB"), 10u << 20);
}

TEST(ByteSizeTest, SiUnitsArePowersOfAThousand) {
  EXPECT_EQ(*ParseByteSize("64kB"), 64000u);
  EXPECT_EQ(*ParseByteSize("10MB"), 10'000'000u);
  EXPECT_EQ(*ParseByteSize("1GB"), 1'000'000'000u);
  EXPECT_EQ(*ParseByteSize("2TB"), 2'000'000'000'000u);
}

TEST(ByteSizeTest, FractionsRoundDownToWholeBytes) {
  EXPECT_EQ(*ParseByteSize("1.5MiB"), 3u << 19);
  EXPECT_EQ(*ParseByteSize("0.5KiB"), 512u);
  EXPECT_EQ(*ParseByteSize("1.0001KiB"), 1024u);  // 1024.1024 bytes
  EXPECT_EQ(*ParseByteSize("0.1kB"), 100u);
  EXPECT_EQ(*ParseByteSize("1.123456789123GiB"), 1206302541u);  // digits past the ninth are dropped
}

TEST(ByteSizeTest, RejectsWhatIsNotASize) {
  for (const char* bad : {"", "MiB", "-1", "+5", "1.5", "1.5B", "1.", ".5MiB", "10XB", "10 M B", "1e6", "0x10",
                          "10MiBs", " 10", "10MiB/s", "ten"}) {
    auto parsed = ParseByteSize(bad);
    EXPECT_EQ(CodeOf(parsed), Code::kInvalidArgument) << "'" << bad << "'";
    if (!parsed) {
      EXPECT_NE(parsed.error().message().find(fmt::format("'{}' is not a size", bad)), std::string::npos)
          << parsed.error().message();
      EXPECT_NE(parsed.error().message().find("MiB"), std::string::npos);  // says what is accepted
    }
  }
}

TEST(ByteSizeTest, RejectsSizesBeyond64Bits) {
  for (const char* big : {"18446744073709551616", "99999999999999999999999", "16777216TiB", "20000000TB"}) {
    auto parsed = ParseByteSize(big);
    ASSERT_EQ(CodeOf(parsed), Code::kInvalidArgument) << big;
    EXPECT_NE(parsed.error().message().find("too large"), std::string::npos) << parsed.error().message();
  }
  EXPECT_EQ(*ParseByteSize("16777215TiB"), uint64_t{16777215} << 40);
  EXPECT_EQ(*ParseByteSize("16777215.5TiB"), (uint64_t{16777215} << 40) + (uint64_t{1} << 39));
}

TEST(ByteRateTest, TakesAnOptionalPerSecond) {
  EXPECT_EQ(*ParseByteRate("10MiB"), 10u << 20);
  EXPECT_EQ(*ParseByteRate("10MiB/s"), 10u << 20);
  EXPECT_EQ(*ParseByteRate("500KiB/S"), 500u * 1024);
  EXPECT_EQ(*ParseByteRate("4096"), 4096u);
  auto bad = ParseByteRate("fast/s");
  ASSERT_EQ(CodeOf(bad), Code::kInvalidArgument);
  EXPECT_NE(bad.error().message().find("'fast/s' is not a rate: give a number of bytes per second"), std::string::npos)
      << bad.error().message();
  EXPECT_EQ(CodeOf(ParseByteRate("/s")), Code::kInvalidArgument);
  EXPECT_EQ(CodeOf(ParseByteRate("10MiB/s/s")), Code::kInvalidArgument);
}

}  // namespace
}  // namespace arkiv
