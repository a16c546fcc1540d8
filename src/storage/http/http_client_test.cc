#include "storage/http/http_client.h"

#include <gtest/gtest.h>

#include "core/status_test_util.h"
#include "storage/testing/server_process.h"

namespace arkiv::storage::http {
namespace {

TEST(HttpClientTest, StatusCodes) {
  EXPECT_EQ(CodeForHttpStatus(200), Code::kOk);
  EXPECT_EQ(CodeForHttpStatus(206), Code::kOk);
  EXPECT_EQ(CodeForHttpStatus(204), Code::kOk);
  EXPECT_EQ(CodeForHttpStatus(400), Code::kInvalidArgument);
  EXPECT_EQ(CodeForHttpStatus(401), Code::kPermissionDenied);
  EXPECT_EQ(CodeForHttpStatus(403), Code::kPermissionDenied);
  EXPECT_EQ(CodeForHttpStatus(404), Code::kNotFound);
  EXPECT_EQ(CodeForHttpStatus(409), Code::kAlreadyExists);
  EXPECT_EQ(CodeForHttpStatus(412), Code::kAlreadyExists);
  EXPECT_EQ(CodeForHttpStatus(416), Code::kInvalidArgument);
  EXPECT_EQ(CodeForHttpStatus(429), Code::kUnavailable);
  EXPECT_EQ(CodeForHttpStatus(500), Code::kUnavailable);
  EXPECT_EQ(CodeForHttpStatus(503), Code::kUnavailable);
}

TEST(HttpClientTest, RefusedConnectionIsUnavailable) {
  Client client;
  Request request;
  request.url = "http://127.0.0.1:" + std::to_string(testing::FreePort()) + "/x?secret=query";
  auto response = client.Send(request);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code(), Code::kUnavailable);
  EXPECT_EQ(response.error().message().find("secret=query"), std::string::npos) << response.error().message();
}

}  // namespace
}  // namespace arkiv::storage::http
