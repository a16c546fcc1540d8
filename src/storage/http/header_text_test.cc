#include "storage/http/header_text.h"

#include <gtest/gtest.h>

#include "core/hex.h"
#include "storage/http/hmac_sha256.h"

namespace arkiv::storage::http {
namespace {

TEST(HeaderTextTest, LowerAsciiLeavesOtherBytes) {
  EXPECT_EQ(LowerAscii("X-Amz-Date"), "x-amz-date");
  EXPECT_EQ(LowerAscii("CAF\xc3\x89 09"), "caf\xc3\x89 09");
}

TEST(HeaderTextTest, TrimAndCollapse) {
  EXPECT_EQ(TrimWhitespace(" \t a  b \r\n"), "a  b");
  EXPECT_EQ(TrimWhitespace("   "), "");
  EXPECT_EQ(CollapseWhitespace("  a   b\t\tc \r\n"), "a b c");
  EXPECT_EQ(CollapseWhitespace("\"quoted  value\""), "\"quoted value\"");
  EXPECT_EQ(CollapseWhitespace(""), "");
}

// RFC 4231, test cases 2 and 6 (a key longer than the block size).
TEST(HeaderTextTest, HmacSha256KnownAnswers) {
  EXPECT_EQ(HexEncode(HmacSha256(AsBytes("Jefe"), AsBytes("what do ya want for nothing?"))),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  Bytes long_key(131, 0xaa);
  EXPECT_EQ(HexEncode(HmacSha256(long_key, AsBytes("Test Using Larger Than Block-Size Key - Hash Key First"))),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

}  // namespace
}  // namespace arkiv::storage::http
