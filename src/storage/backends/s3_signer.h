// AWS Signature Version 4 for S3 requests (the Authorization header form).
//
// The caller builds the request (method, encoded path, query, headers that
// include host, x-amz-date and x-amz-content-sha256) and gets back the
// Authorization header value. Every header given is signed. The signature
// and the secret never appear in any Error: callers put neither in messages.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/bytes.h"

namespace arkiv::storage {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty unless temporary credentials
};

struct SigningRequest {
  std::string method;
  std::string canonical_uri;                                 // the path as sent: each segment percent-encoded
  std::vector<std::pair<std::string, std::string>> query;    // decoded names and values
  std::vector<std::pair<std::string, std::string>> headers;  // as sent
  std::string payload_hash;                                  // hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
};

// "20130524T000000Z" for the x-amz-date header.
std::string AmzDate(std::chrono::system_clock::time_point time);
// Lower-case hex SHA-256.
std::string Sha256Hex(ByteView data);
// "a=1&b=x%2Fy": names and values encoded, sorted by name then value.
std::string CanonicalQueryString(std::vector<std::pair<std::string, std::string>> query);
// The canonical request of the SigV4 spec (exposed for tests).
std::string CanonicalRequest(const SigningRequest& request);

// The Authorization header value:
// "AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/SERVICE/aws4_request,
//  SignedHeaders=...,Signature=...". `amz_date` is the x-amz-date value.
std::string SigV4Authorization(const AwsCredentials& credentials, std::string_view region, std::string_view service,
                               std::string_view amz_date, const SigningRequest& request);

}  // namespace arkiv::storage
