#include "storage/backends/s3_signer.h"

#include <gtest/gtest.h>

namespace arkiv::storage {
namespace {

constexpr char kEmptySha256[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// "GET Object" from the AWS SigV4 documentation (Signature Calculations for
// the Authorization Header: Transferring Payload in a Single Chunk).
TEST(S3SignerTest, AwsDocumentationGetObjectExample) {
  AwsCredentials credentials{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
  SigningRequest request;
  request.method = "GET";
  request.canonical_uri = "/test.txt";
  request.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                     {"Range", "bytes=0-9"},
                     {"x-amz-content-sha256", kEmptySha256},
                     {"x-amz-date", "20130524T000000Z"}};
  request.payload_hash = kEmptySha256;
  EXPECT_EQ(Sha256Hex(AsBytes(CanonicalRequest(request))),
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(SigV4Authorization(credentials, "us-east-1", "s3", "20130524T000000Z", request),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(S3SignerTest, HeadersAreSortedLowerCasedAndTrimmed) {
  SigningRequest request;
  request.method = "PUT";
  request.canonical_uri = "/b/k";
  request.headers = {{"X-Amz-Date", "20240101T000000Z"}, {"Host", "h"}, {"X-Custom", "  a   b  "}};
  request.payload_hash = "UNSIGNED-PAYLOAD";
  EXPECT_EQ(CanonicalRequest(request),
            "PUT\n/b/k\n\nhost:h\nx-amz-date:20240101T000000Z\nx-custom:a b\n\nhost;x-amz-date;x-custom\n"
            "UNSIGNED-PAYLOAD");
}

TEST(S3SignerTest, QueryIsEncodedAndSorted) {
  EXPECT_EQ(CanonicalQueryString({{"prefix", "data/a b"}, {"list-type", "2"}, {"continuation-token", "x+y="}}),
            "continuation-token=x%2By%3D&list-type=2&prefix=data%2Fa%20b");
  EXPECT_EQ(CanonicalQueryString({{"uploads", ""}}), "uploads=");
}

TEST(S3SignerTest, AmzDateIsUtc) {
  EXPECT_EQ(AmzDate(std::chrono::system_clock::from_time_t(1369353600)), "20130524T000000Z");
}

}  // namespace
}  // namespace arkiv::storage
