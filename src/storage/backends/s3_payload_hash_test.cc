// The payload hash of a single PUT: objects named by the SHA-256 of their
// bytes are signed with the name's hash, not hashed again (a pack written
// to several S3 clouds is hashed once, when it is named); other objects are
// hashed. A recording server on 127.0.0.1 shows what was sent; s3rver,
// which checks SigV4, shows that such requests verify.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "core/status_test_util.h"
#include "crypto/sha256.h"
#include "storage/backends/s3_signer.h"
#include "storage/backends/s3_store.h"
#include "storage/testing/conformance.h"
#include "storage/testing/moto_server.h"
#include "storage/testing/s3rver_server.h"

namespace arkiv::storage {
namespace {

using testing::Pattern;
using testing::S3rverServer;

// Answers every PUT with 200 and keeps its x-amz-content-sha256 by path.
class RecordingServer {
 public:
  RecordingServer() {
    server_.Put(".*", [this](const httplib::Request& request, httplib::Response& response) {
      std::lock_guard lock(mutex_);
      hashes_[request.path] = request.get_header_value("x-amz-content-sha256");
      response.status = 200;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~RecordingServer() {
    server_.stop();
    thread_.join();
  }
  RecordingServer(const RecordingServer&) = delete;
  RecordingServer& operator=(const RecordingServer&) = delete;

  std::string Endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // The hash sent with the PUT of `name` (in bucket "b"); "" if none came.
  std::string HashOf(const std::string& name) {
    std::lock_guard lock(mutex_);
    auto it = hashes_.find("/b/" + name);
    return it == hashes_.end() ? "" : it->second;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::map<std::string, std::string> hashes_;
};

S3Options OptionsFor(const std::string& endpoint, const std::string& bucket, const std::string& secret) {
  S3Options options;
  options.bucket = bucket;
  options.endpoint = endpoint;
  options.path_style = true;
  options.credentials = {S3rverServer::kAccessKey, secret, ""};
  return options;
}

TEST(ContentHashInNameTest, OnlyA64DigitLowerHexLastPart) {
  const std::string hash(64, 'a');
  EXPECT_EQ(ContentHashInName("data/aa/" + hash), hash);
  EXPECT_EQ(ContentHashInName("index/" + hash), hash);
  EXPECT_EQ(ContentHashInName(hash), hash);
  EXPECT_EQ(ContentHashInName("config"), std::nullopt);
  EXPECT_EQ(ContentHashInName("data/aa/" + hash + ".ec2+1.0.4096"), std::nullopt);  // a shard: other bytes
  EXPECT_EQ(ContentHashInName("data/aa/" + std::string(64, 'A')), std::nullopt);
  EXPECT_EQ(ContentHashInName("data/aa/" + std::string(63, 'a')), std::nullopt);
  EXPECT_EQ(ContentHashInName(hash + "/x"), std::nullopt);
}

TEST(S3PayloadHashTest, ContentNamedPutsAreSignedWithTheirNameOthersAreHashed) {
  RecordingServer server;
  S3Store store(OptionsFor(server.Endpoint(), "b", S3rverServer::kSecretKey));
  Bytes body = Pattern(5000, 3);
  std::string hash = Sha256Hex(body);
  std::string pack = "data/" + hash.substr(0, 2) + "/" + hash;
  ASSERT_OK(store.Put(pack, body));
  EXPECT_EQ(server.HashOf(pack), hash);

  // The name is taken at its word, not checked here: the bytes are not
  // hashed (real S3 refuses such a body, XAmzContentSHA256Mismatch).
  std::string claimed(64, 'c');
  ASSERT_OK(store.Put("snapshots/" + claimed, body));
  EXPECT_EQ(server.HashOf("snapshots/" + claimed), claimed);

  // Names that are not a hash of their bytes: hashed.
  ASSERT_OK(store.Put("config", body));
  EXPECT_EQ(server.HashOf("config"), hash);
  std::string shard = pack + ".ec2+1.0.5000";
  ASSERT_OK(store.Put(shard, body));
  EXPECT_EQ(server.HashOf(shard), hash);
}

TEST(S3PayloadHashTest, S3rverVerifiesTheSignatureOfContentNamedPuts) {
  auto server = S3rverServer::Shared();
  ASSERT_TRUE(server) << server.error().message();
  S3Store store(OptionsFor((*server)->endpoint(), testing::UniqueBucketName(), S3rverServer::kSecretKey));
  ASSERT_OK(store.CreateBucket());
  for (uint8_t salt = 1; salt <= 3; ++salt) {
    Bytes body = Pattern(3000 + salt * 1000, salt);
    std::string hash = crypto::Sha256(body).Hex();
    std::string names[] = {"data/" + hash.substr(0, 2) + "/" + hash, "index/" + hash};
    for (const auto& name : names) {
      ASSERT_OK(store.Put(name, body));
      auto got = store.Get(name);
      ASSERT_TRUE(got) << got.error().message();
      EXPECT_EQ(*got, body) << name;
    }
  }
  // A wrong secret still fails with the name's hash: the signature is checked.
  S3Store wrong(OptionsFor((*server)->endpoint(), store.options().bucket, "wrong-secret"));
  Bytes body = Pattern(100, 9);
  std::string hash = crypto::Sha256(body).Hex();
  EXPECT_EQ(CodeOf(wrong.Put("index/" + hash, body)), Code::kPermissionDenied);
}

}  // namespace
}  // namespace arkiv::storage
