#include "storage/backends/azure_xml.h"

#include <gtest/gtest.h>

namespace arkiv::storage {
namespace {

TEST(AzureXmlTest, ParsesAListBlobsPage) {
  std::string xml =
      "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"utf-8\"?><EnumerationResults ServiceEndpoint=\"x\" "
      "ContainerName=\"c\"><Prefix>p/</Prefix><Marker /><MaxResults>2</MaxResults><Blobs>"
      "<Blob><Name>p/a &amp; b &lt;&#x41;&#66;&gt;</Name><Properties><Creation-Time>t</Creation-Time>"
      "<Content-Length>12</Content-Length><BlobType>BlockBlob</BlobType></Properties></Blob>"
      "<Blob><Name>p/caf\xc3\xa9</Name><Properties><Content-Length>0</Content-Length></Properties></Blob>"
      "</Blobs><NextMarker>2!8!cC9jYWbDqQ--</NextMarker></EnumerationResults>";
  auto page = ParseListBlobs(xml);
  ASSERT_TRUE(page) << page.error().message();
  ASSERT_EQ(page->blobs.size(), 2u);
  EXPECT_EQ(page->blobs[0].name, "p/a & b <AB>");
  EXPECT_EQ(page->blobs[0].size, 12u);
  EXPECT_EQ(page->blobs[1].name, "p/caf\xc3\xa9");
  EXPECT_EQ(page->blobs[1].size, 0u);
  EXPECT_EQ(page->next_marker, "2!8!cC9jYWbDqQ--");
}

TEST(AzureXmlTest, LastPageHasNoMarker) {
  auto page = ParseListBlobs("<EnumerationResults><Blobs /><NextMarker /></EnumerationResults>");
  ASSERT_TRUE(page);
  EXPECT_TRUE(page->blobs.empty());
  EXPECT_TRUE(page->next_marker.empty());
}

TEST(AzureXmlTest, RefusesOtherDocuments) {
  EXPECT_FALSE(ParseListBlobs("<html>proxy error</html>"));
  EXPECT_FALSE(ParseListBlobs("<EnumerationResults><Blobs><Blob><Name>x</Name></Blob></Blobs></EnumerationResults>"));
}

TEST(AzureXmlTest, ParsesErrorBodies) {
  auto body = ParseErrorBody(
      "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>BlobNotFound</Code><Message>The specified blob "
      "does not exist.\nRequestId:1</Message></Error>");
  EXPECT_EQ(body.code, "BlobNotFound");
  EXPECT_EQ(body.message, "The specified blob does not exist.");
  EXPECT_TRUE(ParseErrorBody("").code.empty());
}

TEST(AzureXmlTest, EscapeRoundTrips) {
  EXPECT_EQ(XmlEscape("a<&>'\""), "a&lt;&amp;&gt;&apos;&quot;");
  EXPECT_EQ(XmlUnescape(XmlEscape("a<&>'\"")), "a<&>'\"");
  EXPECT_EQ(XmlUnescape("&bogus; &#xZZ;"), "&bogus; &#xZZ;");
}

}  // namespace
}  // namespace arkiv::storage
