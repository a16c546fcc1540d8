// Azure version-level immutability (azure_config.h, docs/design.md §16.2).
// Azurite does not implement it, so: Azurite checks that the requests with
// the immutability headers are well signed and stored, and a recording
// server on 127.0.0.1 checks the headers themselves and how a refusal to
// delete is reported.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <ctime>
#include <mutex>
#include <thread>

#include "core/status_test_util.h"
#include "storage/backends/azure_store.h"
#include "storage/testing/azurite_server.h"

namespace arkiv::storage {
namespace {

using testing::AzuriteServer;

AzureConfig Immutable(AzureConfig config) {
  config.immutability = "Unlocked";
  config.lock_days = 7;
  return config;
}

TEST(AzureImmutabilityTest, AzuriteAcceptsTheSignedHeadersOnBothUploadPaths) {
  auto server = AzuriteServer::Shared();
  ASSERT_TRUE(server) << server.error().message();
  auto store = std::make_shared<AzureStore>(Immutable((*server)->Config(AzuriteServer::NewContainerName())),
                                            AzureStore::Options{.block_threshold = 1000, .block_size = 400});
  ASSERT_OK(store->CreateContainer());
  Bytes small(500, 7), large(2500, 9);
  ASSERT_OK(store->Put("snapshots/ab", small));  // Put Blob
  ASSERT_OK(store->Put("data/cd/cdef", large));  // Put Block + Put Block List
  ASSERT_OK_AND_ASSIGN(Bytes got_small, store->Get("snapshots/ab"));
  ASSERT_OK_AND_ASSIGN(Bytes got_large, store->Get("data/cd/cdef"));
  EXPECT_EQ(got_small, small);
  EXPECT_EQ(got_large, large);
}

// Records the immutability headers of each PUT; refuses every DELETE as a
// blob under an immutability policy does.
class RecordingServer {
 public:
  RecordingServer() {
    server_.Put(".*", [this](const httplib::Request& request, httplib::Response& response) {
      std::lock_guard lock(mutex_);
      std::string comp = request.get_param_value("comp");
      if (comp != "block") {
        puts_.push_back({request.path, request.get_header_value("x-ms-immutability-policy-until-date"),
                         request.get_header_value("x-ms-immutability-policy-mode"), comp});
      }
      response.status = comp == "immutabilityPolicies" ? 200 : 201;
    });
    // Every blob has a policy that ends in a day.
    server_.Get(".*", [](const httplib::Request&, httplib::Response& response) {
      response.status = 200;
      std::time_t in_a_day = std::time(nullptr) + 86400;
      std::tm tm{};
      gmtime_r(&in_a_day, &tm);
      char date[64];
      strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
      response.set_header("x-ms-immutability-policy-until-date", date);
      response.set_header("x-ms-immutability-policy-mode", "Unlocked");
      response.set_content(std::string(10, 'x'), "application/octet-stream");
    });
    server_.Delete(".*", [](const httplib::Request&, httplib::Response& response) {
      response.status = 409;
      response.set_header("x-ms-error-code", "BlobImmutableDueToPolicy");
      response.set_content(
          "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>BlobImmutableDueToPolicy</Code><Message>This "
          "operation is not permitted as the blob is immutable due to a policy.</Message></Error>",
          "application/xml");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~RecordingServer() {
    server_.stop();
    thread_.join();
  }
  std::string Endpoint() const { return "http://127.0.0.1:" + std::to_string(port_) + "/devstoreaccount1"; }

  struct Put {
    std::string path, until, mode, comp;
  };
  std::vector<Put> puts() {
    std::lock_guard lock(mutex_);
    return puts_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<Put> puts_;
};

// "Sat, 05 Dec 2026 04:05:06 GMT" as Unix seconds; -1 when malformed.
std::time_t ParseHttpDate(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return -1;
  return timegm(&tm);
}

TEST(AzureImmutabilityTest, RepositoryObjectsCarryThePolicyAndRemovalIsRetained) {
  RecordingServer recorder;
  AzureConfig config;
  config.account = std::string(testing::kAzuriteAccount);
  config.container = "immutable";
  config.endpoint = recorder.Endpoint();
  config.key = std::string(testing::kAzuriteKey);
  AzureStore store(Immutable(config), AzureStore::Options{.block_threshold = 1000, .block_size = 400});
  std::time_t before = std::time(nullptr);
  ASSERT_OK(store.Put("config", Bytes(10, 1)));
  ASSERT_OK(store.Put("data/cd/cdef", Bytes(2500, 2)));
  ASSERT_OK(store.Put("locks/ef", Bytes(10, 3)));
  ASSERT_OK(store.Put("status/host", Bytes(10, 4)));
  std::time_t after = std::time(nullptr);

  auto puts = recorder.puts();
  ASSERT_EQ(puts.size(), 4u);
  for (const auto& put : puts) {
    bool bookkeeping = put.path.find("/locks/") != std::string::npos || put.path.find("/status/") != std::string::npos;
    if (bookkeeping) {
      EXPECT_EQ(put.until, "") << put.path;
      EXPECT_EQ(put.mode, "") << put.path;
      continue;
    }
    EXPECT_EQ(put.mode, "Unlocked") << put.path;
    std::time_t until = ParseHttpDate(put.until);
    EXPECT_GE(until, before + 7 * 86400) << put.path << ": " << put.until;
    EXPECT_LE(until, after + 7 * 86400) << put.path << ": " << put.until;
  }

  auto removed = store.Remove("config");
  ASSERT_FALSE(removed);
  EXPECT_EQ(removed.error().code(), Code::kRetained);
  EXPECT_NE(removed.error().message().find("immutability policy"), std::string::npos) << removed.error().message();
}

TEST(AzureImmutabilityTest, RefreshSetsThePolicyAgainWhenLessThanHalfIsLeft) {
  RecordingServer recorder;
  AzureConfig config;
  config.account = std::string(testing::kAzuriteAccount);
  config.container = "immutable";
  config.endpoint = recorder.Endpoint();
  config.key = std::string(testing::kAzuriteKey);
  config = Immutable(config);
  AzureStore seven_days(config, {});
  EXPECT_TRUE(seven_days.Capabilities().retains);
  std::time_t before = std::time(nullptr);
  ASSERT_OK(seven_days.RefreshRetention("snapshots/ab"));  // one day left of seven
  ASSERT_OK(seven_days.RefreshRetention("locks/cd"));      // bookkeeping: nothing
  config.lock_days = 1;
  AzureStore one_day(config, {});
  ASSERT_OK(one_day.RefreshRetention("snapshots/ab"));  // a whole day left of one
  auto puts = recorder.puts();
  ASSERT_EQ(puts.size(), 1u);
  EXPECT_EQ(puts[0].comp, "immutabilityPolicies");
  EXPECT_NE(puts[0].path.find("/snapshots/ab"), std::string::npos) << puts[0].path;
  EXPECT_EQ(puts[0].mode, "Unlocked");
  EXPECT_GE(ParseHttpDate(puts[0].until), before + 7 * 86400) << puts[0].until;
  EXPECT_FALSE(AzureStore(AzureConfig{}, {}).Capabilities().retains);
}

TEST(AzureImmutabilityTest, UrlParametersGoTogether) {
  auto env = [](const char*) -> std::optional<std::string> { return std::nullopt; };
  StoreCredentials key;
  key.account_key = std::string(testing::kAzuriteKey);
  ASSERT_OK_AND_ASSIGN(auto config,
                       ParseAzureUrl("azure://acct/cont?immutability=LOCKED&lock_days=30", env, key));
  EXPECT_EQ(config.immutability, "Locked");
  EXPECT_EQ(config.lock_days, 30);
  for (const char* bad : {"azure://acct/cont?lock_days=3", "azure://acct/cont?immutability=unlocked",
                          "azure://acct/cont?immutability=forever&lock_days=3",
                          "azure://acct/cont?immutability=locked&lock_days=0"}) {
    auto parsed = ParseAzureUrl(bad, env, key);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code(), Code::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace arkiv::storage
