#include "storage/backends/aws_config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

#include "core/status_test_util.h"
#include "storage/testing/conformance.h"

namespace arkiv::storage {
namespace {

class AwsConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : kVariables) {
      if (const char* value = std::getenv(name)) saved_.emplace_back(name, value);
      ::unsetenv(name);
    }
    dir_ = testing::MakeTempDir("aws");
    ::setenv("AWS_SHARED_CREDENTIALS_FILE", (dir_ + "/credentials").c_str(), 1);
    ::setenv("AWS_CONFIG_FILE", (dir_ + "/config").c_str(), 1);
  }
  void TearDown() override {
    for (const char* name : kVariables) ::unsetenv(name);
    for (const auto& [name, value] : saved_) ::setenv(name.c_str(), value.c_str(), 1);
  }
  void Write(const std::string& file, const std::string& text) { std::ofstream(dir_ + "/" + file) << text; }

  static constexpr const char* kVariables[] = {
      "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",           "AWS_PROFILE",
      "AWS_REGION",        "AWS_DEFAULT_REGION",    "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"};
  std::string dir_;
  std::vector<std::pair<std::string, std::string>> saved_;
};

TEST_F(AwsConfigTest, EnvironmentComesFirst) {
  Write("credentials", "[default]\naws_access_key_id = FILE\naws_secret_access_key = filesecret\n");
  ::setenv("AWS_ACCESS_KEY_ID", "ENV", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
  ::setenv("AWS_SESSION_TOKEN", "token", 1);
  auto credentials = LoadAwsCredentials();
  ASSERT_TRUE(credentials);
  EXPECT_EQ(credentials->access_key_id, "ENV");
  EXPECT_EQ(credentials->secret_access_key, "envsecret");
  EXPECT_EQ(credentials->session_token, "token");
}

TEST_F(AwsConfigTest, ProfileFromTheCredentialsFile) {
  Write("credentials",
        "[default]\naws_access_key_id = DEF\naws_secret_access_key = defsecret\n\n"
        "# a comment\n[backup]\r\naws_access_key_id=BAK\r\naws_secret_access_key = baksecret\r\n");
  Write("config", "[default]\nregion = eu-west-1\n[profile backup]\nregion = ap-south-1\n");
  auto credentials = LoadAwsCredentials();
  ASSERT_TRUE(credentials);
  EXPECT_EQ(credentials->access_key_id, "DEF");
  EXPECT_EQ(LoadAwsRegion(), "eu-west-1");
  ::setenv("AWS_PROFILE", "backup", 1);
  credentials = LoadAwsCredentials();
  ASSERT_TRUE(credentials);
  EXPECT_EQ(credentials->access_key_id, "BAK");
  EXPECT_EQ(credentials->secret_access_key, "baksecret");
  EXPECT_EQ(LoadAwsRegion(), "ap-south-1");
  ::setenv("AWS_DEFAULT_REGION", "us-west-2", 1);
  EXPECT_EQ(LoadAwsRegion(), "us-west-2");
  ::setenv("AWS_REGION", "ca-central-1", 1);
  EXPECT_EQ(LoadAwsRegion(), "ca-central-1");
}

TEST_F(AwsConfigTest, GivenCredentialsWinOverTheEnvironment) {
  Write("credentials",
        "[default]\naws_access_key_id = DEF\naws_secret_access_key = defsecret\n"
        "[other]\naws_access_key_id = OTH\naws_secret_access_key = othsecret\n");
  Write("config", "[default]\nregion = eu-west-1\n[profile other]\nregion = sa-east-1\n");
  ::setenv("AWS_ACCESS_KEY_ID", "ENV", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
  ::setenv("AWS_SESSION_TOKEN", "envtoken", 1);
  auto pair = LoadAwsCredentials({.access_key_id = "GIVEN", .secret_access_key = "givensecret"});
  ASSERT_TRUE(pair);
  EXPECT_EQ(pair->access_key_id, "GIVEN");
  EXPECT_EQ(pair->secret_access_key, "givensecret");
  EXPECT_EQ(pair->session_token, "");  // not the environment's
  // A given profile skips the environment's keys and AWS_PROFILE.
  ::setenv("AWS_PROFILE", "default", 1);
  auto profile = LoadAwsCredentials({.profile = "other"});
  ASSERT_TRUE(profile);
  EXPECT_EQ(profile->access_key_id, "OTH");
  EXPECT_EQ(profile->secret_access_key, "othsecret");
  EXPECT_EQ(profile->session_token, "");
  EXPECT_EQ(LoadAwsRegion("other"), "sa-east-1");
  EXPECT_EQ(LoadAwsRegion(), "eu-west-1");
  auto missing = LoadAwsCredentials({.profile = "gone"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), Code::kPermissionDenied);
  EXPECT_NE(missing.error().message().find("profile 'gone'"), std::string::npos) << missing.error().message();
}

TEST_F(AwsConfigTest, NoCredentialsIsPermissionDenied) {
  auto credentials = LoadAwsCredentials();
  ASSERT_FALSE(credentials);
  EXPECT_EQ(credentials.error().code(), Code::kPermissionDenied);
  EXPECT_NE(credentials.error().message().find("AWS_ACCESS_KEY_ID"), std::string::npos);
  EXPECT_FALSE(LoadAwsRegion());
}

}  // namespace
}  // namespace arkiv::storage
