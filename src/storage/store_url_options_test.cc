#include "storage/store_url_options.h"

#include <gtest/gtest.h>

#include "core/status_test_util.h"

namespace arkiv::storage {
namespace {

TEST(StoreUrlOptionsTest, TakesTheOptionsOutAndKeepsTheRest) {
  auto split = SplitStoreUrlOptions("s3://b/p?region=x&connections=4&upload_limit=10MiB&path_style=true");
  ASSERT_TRUE(split) << split.error().message();
  EXPECT_EQ(split->url, "s3://b/p?region=x&path_style=true");
  EXPECT_EQ(split->options.connections, 4u);
  EXPECT_EQ(split->options.upload_limit, 10u << 20);
  EXPECT_EQ(split->options.download_limit, std::nullopt);
}

TEST(StoreUrlOptionsTest, NoQueryLeftMeansNoQuestionMark) {
  auto split = SplitStoreUrlOptions("/srv/backup?download_limit=500KiB&connections=1&");
  ASSERT_TRUE(split) << split.error().message();
  EXPECT_EQ(split->url, "/srv/backup");
  EXPECT_EQ(split->options.download_limit, 500u * 1024);
  EXPECT_EQ(split->options.connections, 1u);
  EXPECT_EQ(SplitStoreUrlOptions("file:///srv/b?connections=256")->url, "file:///srv/b");
}

TEST(StoreUrlOptionsTest, UrlsWithoutTheOptionsAreLeftExactlyAsTheyWere) {
  for (const char* url : {"", "/srv/backup", "/srv/odd?name", "azure://a/c?sas=sv%3D1&&tier=Hot&", "s3://b?",
                          "sftp://u@h/p?key=/k&timeout=5", "s3://b?connection=3&upload=1"}) {
    auto split = SplitStoreUrlOptions(url);
    ASSERT_TRUE(split) << url;
    EXPECT_EQ(split->url, url);
    EXPECT_FALSE(split->options.connections || split->options.upload_limit || split->options.download_limit);
  }
}

TEST(StoreUrlOptionsTest, ValuesArePercentDecodedAndZeroMeansNoLimit) {
  auto split = SplitStoreUrlOptions("memory://x?upload_limit=10MiB%2Fs&download_limit=0");
  ASSERT_TRUE(split) << split.error().message();
  EXPECT_EQ(split->url, "memory://x");
  EXPECT_EQ(split->options.upload_limit, 10u << 20);
  EXPECT_EQ(split->options.download_limit, 0u);
}

TEST(StoreUrlOptionsTest, BadValuesNameTheParameter) {
  struct Case {
    const char* url;
    const char* message;
  };
  for (const Case& c : {
           Case{"s3://b?connections=0", "store URL parameter connections: '0' is not a number from 1 to 256"},
           Case{"s3://b?connections=257", "store URL parameter connections: '257' is not a number from 1 to 256"},
           Case{"s3://b?connections=-1", "store URL parameter connections: '-1' is not a number from 1 to 256"},
           Case{"s3://b?connections=4x", "store URL parameter connections: '4x' is not a number"},
           Case{"s3://b?connections", "store URL parameter connections: '' is not a number"},
           Case{"s3://b?upload_limit=fast", "store URL parameter upload_limit: 'fast' is not a rate"},
           Case{"s3://b?download_limit=1.5", "store URL parameter download_limit: '1.5' is not a rate"},
           Case{"s3://b?download_limit=99999999999TiB",
                "store URL parameter download_limit: '99999999999TiB' is too large"},
           Case{"s3://b?connections=2&connections=2", "store URL parameter connections is given twice"},
       }) {
    auto split = SplitStoreUrlOptions(c.url);
    ASSERT_EQ(CodeOf(split), Code::kInvalidArgument) << c.url;
    EXPECT_TRUE(split.error().message().starts_with(c.message)) << split.error().message();
  }
}

TEST(StoreUrlOptionsTest, ErrorsDoNotRepeatTheUrl) {
  auto split = SplitStoreUrlOptions("azure://acct/cont?sas=sig%3DTOPSECRET&connections=0");
  ASSERT_EQ(CodeOf(split), Code::kInvalidArgument);
  EXPECT_EQ(split.error().message().find("TOPSECRET"), std::string::npos) << split.error().message();
}

}  // namespace
}  // namespace arkiv::storage
