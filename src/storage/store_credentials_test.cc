// Credentials given for one store (the config file's per-cloud keys) reach
// the store and win over the environment's; ones that do not fit are refused.
#include "storage/store_credentials.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <optional>

#include "core/status_test_util.h"
#include "storage/open_store.h"
#include "storage/testing/conformance.h"
#include "storage/testing/moto_server.h"
#include "storage/testing/s3rver_server.h"
#include "storage/testing/sshd_server.h"

namespace arkiv::storage {
namespace {

// Sets an environment variable for the scope, then restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

OpenStoreOptions WithCredentials(StoreCredentials credentials) {
  return OpenStoreOptions{.upload_limit = {}, .download_limit = {}, .cloud_name = {}, .credentials = credentials};
}

TEST(StoreCredentialsTest, CredentialsMustFitTheKindOfStore) {
  StoreCredentials s3{.access_key_id = "AKID", .secret_access_key = "TOPSECRET"};
  StoreCredentials azure{.account_key = "TOPSECRET"};
  StoreCredentials sftp{.identity_file = "/k"};
  EXPECT_TRUE(CheckCredentialsFit("s3://b/p", s3));
  EXPECT_TRUE(CheckCredentialsFit("azure://a/box", azure));
  EXPECT_TRUE(CheckCredentialsFit("sftp://h/p", sftp));
  EXPECT_TRUE(CheckCredentialsFit("/srv/x", {}));
  for (const auto& [url, credentials] : std::vector<std::pair<std::string, StoreCredentials>>{{"azure://a/box", s3},
                                                                                              {"sftp://h/p", s3},
                                                                                              {"s3://b/p", azure},
                                                                                              {"/srv/x", azure},
                                                                                              {"file:///srv/x", sftp},
                                                                                              {"s3://b/p", sftp}}) {
    auto fit = CheckCredentialsFit(url, credentials);
    ASSERT_FALSE(fit) << url;
    EXPECT_EQ(fit.error().code(), Code::kInvalidArgument);
    EXPECT_EQ(fit.error().message().find("TOPSECRET"), std::string::npos);
  }
  EXPECT_FALSE(CheckCredentialsFit("s3://b/p", StoreCredentials{.access_key_id = "AKID"}));
  EXPECT_FALSE(CheckCredentialsFit("s3://b/p", StoreCredentials{.session_token = "t"}));
  EXPECT_FALSE(CheckCredentialsFit("s3://b/p",
                                   StoreCredentials{.access_key_id = "A", .secret_access_key = "S", .profile = "p"}));
  EXPECT_FALSE(CheckCredentialsFit("azure://a/box", StoreCredentials{.connection_string = "c", .sas_token = "s"}));
  // OpenStore refuses them before opening anything.
  auto opened = OpenStore("azure://a/box", WithCredentials(s3));
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code(), Code::kInvalidArgument);
}

// s3rver checks signatures: only the right keys get in.
TEST(StoreCredentialsS3rverTest, GivenKeysWinOverTheEnvironment) {
  auto server = testing::S3rverServer::Shared();
  ASSERT_TRUE(server) << server.error().message();
  ScopedEnv id("AWS_ACCESS_KEY_ID", "WRONG");
  ScopedEnv secret("AWS_SECRET_ACCESS_KEY", "wrong-secret");
  std::string url = fmt::format("s3://{}/repo?endpoint={}", testing::UniqueBucketName(), (*server)->endpoint());

  auto from_env = OpenStore(url);
  ASSERT_TRUE(from_env) << from_env.error().message();
  EXPECT_EQ(CodeOf((*from_env)->CreateLocation()), Code::kPermissionDenied);

  StoreCredentials right{.access_key_id = testing::S3rverServer::kAccessKey,
                         .secret_access_key = testing::S3rverServer::kSecretKey};
  auto given = OpenStore(url, WithCredentials(right));
  ASSERT_TRUE(given) << given.error().message();
  auto created = (*given)->CreateLocation();
  ASSERT_TRUE(created) << created.error().message();
  ASSERT_TRUE((*given)->Put("config", AsBytes("written with the given keys")));
  EXPECT_EQ(AsString(*(*given)->Get("config")), "written with the given keys");
}

TEST(StoreCredentialsS3rverTest, AGivenProfileWinsOverTheEnvironment) {
  auto server = testing::S3rverServer::Shared();
  ASSERT_TRUE(server) << server.error().message();
  std::string dir = testing::MakeTempDir("credentials-profile");
  std::ofstream(dir + "/credentials") << "[default]\naws_access_key_id = WRONG\naws_secret_access_key = wrong\n"
                                      << "[s3rver]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n";
  ScopedEnv file("AWS_SHARED_CREDENTIALS_FILE", (dir + "/credentials").c_str());
  ScopedEnv id("AWS_ACCESS_KEY_ID", "WRONG");
  ScopedEnv secret("AWS_SECRET_ACCESS_KEY", "wrong-secret");
  ScopedEnv profile("AWS_PROFILE", "default");
  std::string url = fmt::format("s3://{}/repo?endpoint={}", testing::UniqueBucketName(), (*server)->endpoint());
  auto store = OpenStore(url, WithCredentials({.profile = "s3rver"}));
  ASSERT_TRUE(store) << store.error().message();
  auto created = (*store)->CreateLocation();
  ASSERT_TRUE(created) << created.error().message();
  ASSERT_TRUE((*store)->Put("config", AsBytes("x")));

  auto missing = OpenStore(url, WithCredentials({.profile = "nope"}));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), Code::kPermissionDenied);
  EXPECT_NE(missing.error().message().find("profile 'nope'"), std::string::npos) << missing.error().message();
}

// The test sshd accepts only its own client key, which is not among the
// default identities: the given identity_file must be what logs in, also
// over a key= in the URL.
TEST(StoreCredentialsSftpTest, GivenIdentityFileLogsIn) {
  if (!testing::SshdServer::Available()) GTEST_SKIP() << "needs root and /usr/sbin/sshd";
  auto server = testing::SshdServer::Start();
  ASSERT_TRUE(server) << server.error().message();
  std::string root = testing::MakeTempDir("credentials-sftp");
  std::string base = fmt::format("sftp://root@127.0.0.1:{}{}?known_hosts={}&timeout=10", (*server)->port(), root,
                                 (*server)->known_hosts());
  StoreCredentials key{.identity_file = (*server)->client_key()};
  for (const std::string& url : {base, base + "&key=" + (*server)->dir() + "/no-such-key"}) {
    auto store = OpenStore(url, WithCredentials(key));
    ASSERT_TRUE(store) << store.error().message();
    auto put = (*store)->Put("config", AsBytes("over sftp"));
    ASSERT_TRUE(put) << url << ": " << put.error().message();
  }
  auto wrong = OpenStore(base, WithCredentials({.identity_file = (*server)->dir() + "/no-such-key"}));
  ASSERT_TRUE(wrong);
  EXPECT_FALSE((*wrong)->Put("config", AsBytes("x")));
}

}  // namespace
}  // namespace arkiv::storage
