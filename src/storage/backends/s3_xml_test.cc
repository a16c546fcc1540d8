#include "storage/backends/s3_xml.h"

#include <gtest/gtest.h>

namespace arkiv::storage {
namespace {

TEST(S3XmlTest, ParsesAListingPage) {
  auto page = ParseListObjectsV2(R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>b</Name><Prefix>data/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <Contents><Key>data/a &amp; b</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified>
    <ETag>&quot;x&quot;</ETag><Size>12</Size><StorageClass>STANDARD</StorageClass></Contents>
  <Contents><Key>data/caf&#xE9;&#233;</Key><Size>0</Size></Contents>
  <NextContinuationToken>tok+en/=</NextContinuationToken>
</ListBucketResult>)");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "data/a & b");
  EXPECT_EQ(page->objects[0].size, 12u);
  EXPECT_EQ(page->objects[1].key, "data/caf\xc3\xa9\xc3\xa9");
  EXPECT_EQ(page->objects[1].size, 0u);
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_continuation_token, "tok+en/=");
}

TEST(S3XmlTest, EmptyListing) {
  auto page = ParseListObjectsV2("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>");
  ASSERT_TRUE(page);
  EXPECT_TRUE(page->objects.empty());
  EXPECT_FALSE(page->truncated);
  EXPECT_FALSE(ParseListObjectsV2("<Error><Code>NoSuchBucket</Code></Error>"));
}

TEST(S3XmlTest, ParsesErrors) {
  auto error = ParseS3Error(
      "<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature &lt;x&gt;"
      "</Message><SignatureProvided>abc</SignatureProvided></Error>");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, "SignatureDoesNotMatch");
  EXPECT_EQ(error->message, "The request signature <x>");
  EXPECT_FALSE(ParseS3Error("<ListBucketResult/>"));
  EXPECT_FALSE(ParseS3Error(""));
}

TEST(S3XmlTest, EscapesAndUnescapes) {
  EXPECT_EQ(XmlEscape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
  EXPECT_EQ(XmlUnescape(XmlEscape("a<b>&\"'")), "a<b>&\"'");
  EXPECT_EQ(XmlUnescape("&unknown; & &#x1F600;"), "&unknown; & \xf0\x9f\x98\x80");
  EXPECT_EQ(XmlElementText("<UploadId>abc</UploadId>", "UploadId"), "abc");
  EXPECT_FALSE(XmlElementText("<Other/>", "UploadId"));
}

}  // namespace
}  // namespace arkiv::storage
