#include "storage/http/url.h"

#include <gtest/gtest.h>

#include "core/status_test_util.h"

namespace arkiv::storage::http {
namespace {

TEST(UrlTest, PercentEncoding) {
  EXPECT_EQ(PercentEncode("data/a b&c=d~_-.", true), "data/a%20b%26c%3Dd~_-.");
  EXPECT_EQ(PercentEncode("data/a", false), "data%2Fa");
  EXPECT_EQ(PercentEncode("caf\xc3\xa9+", true), "caf%C3%A9%2B");
  EXPECT_EQ(PercentEncode("a b/é?#%+", true), "a%20b/%C3%A9%3F%23%25%2B");
  EXPECT_EQ(PercentDecode("http%3A%2F%2Fh%3a1/x"), "http://h:1/x");
  EXPECT_EQ(PercentDecode("a+b%2b"), "a+b+");
  EXPECT_EQ(PercentDecode("100%"), "100%");
  EXPECT_EQ(PercentDecode("%zz%4"), "%zz%4");
  EXPECT_EQ(PercentDecode("%4"), "%4");
}

TEST(UrlTest, RedactedUrlDropsTheQuery) {
  EXPECT_EQ(RedactedUrl("https://a.blob.core.windows.net/c/x?sv=1&sig=secret"), "https://a.blob.core.windows.net/c/x");
  EXPECT_EQ(RedactedUrl("http://h/p"), "http://h/p");
}

TEST(UrlTest, SplitsStoreUrls) {
  auto parts = SplitStoreUrl("s3://bucket/pre/fix?endpoint=http%3A%2F%2Fh%3A1&&flag&part_uploads=8&", "s3://");
  ASSERT_TRUE(parts) << parts.error().message();
  EXPECT_EQ(parts->location, "bucket/pre/fix");
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(parts->parameters, (Pairs{{"endpoint", "http://h:1"}, {"flag", ""}, {"part_uploads", "8"}}));
  auto bare = SplitStoreUrl("azure://acct/box", "azure://");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->location, "acct/box");
  EXPECT_TRUE(bare->parameters.empty());
  auto wrong = SplitStoreUrl("azure://acct/box?sas=sig%3Dsecret", "s3://");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(wrong.error().message().find("secret"), std::string::npos) << wrong.error().message();
}

TEST(UrlTest, NumberParameters) {
  EXPECT_EQ(*ParseNumberParameter("part_uploads", "1", 1, 64), 1u);
  EXPECT_EQ(*ParseNumberParameter("part_uploads", "64", 1, 64), 64u);
  for (std::string_view bad : {"0", "65", "", "4x", "-1", " 4", "99999999999999999999999"}) {
    auto parsed = ParseNumberParameter("part_uploads", bad, 1, 64);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code(), Code::kInvalidArgument);
    EXPECT_NE(parsed.error().message().find("part_uploads"), std::string::npos) << parsed.error().message();
  }
}

TEST(UrlTest, TimeoutParameter) {
  EXPECT_EQ(*ParseTimeoutParameter("1"), 1);
  EXPECT_EQ(*ParseTimeoutParameter("3600"), 3600);
  for (std::string_view bad : {"0", "3601", "", "2s", "soon"}) {
    auto parsed = ParseTimeoutParameter(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_NE(parsed.error().message().find("timeout"), std::string::npos) << parsed.error().message();
  }
}

TEST(UrlTest, StoreWideParameters) {
  for (std::string_view name : {"connections", "upload_limit", "download_limit"}) {
    EXPECT_TRUE(IsStoreWideParameter(name)) << name;
  }
  for (std::string_view name : {"", "endpoint", "sas", "connection", "part_uploads"}) {
    EXPECT_FALSE(IsStoreWideParameter(name)) << name;
  }
}

}  // namespace
}  // namespace arkiv::storage::http
