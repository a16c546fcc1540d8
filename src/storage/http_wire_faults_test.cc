// The cloud stores as arkiv stacks them (a RetryStore over S3Store or
// AzureStore) with tests/servers/fault_proxy.py between them and their
// server (moto, Azurite): connections reset mid-body, 503 SlowDown /
// ServerBusy, latency with a bandwidth cap, a blackhole, and a server
// stopped with SIGSTOP mid-upload. Every object that goes up is read back
// and compared byte for byte.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <ostream>
#include <thread>

#include "core/status_test_util.h"
#include "storage/backends/azure_store.h"
#include "storage/backends/s3_store.h"
#include "storage/testing/azurite_server.h"
#include "storage/testing/conformance.h"
#include "storage/testing/fault_proxy.h"
#include "storage/testing/moto_server.h"
#include "storage/testing/server_process.h"
#include "storage/wrappers/retry_store.h"

namespace arkiv::storage {
namespace {

using testing::FaultProxy;
using testing::Pattern;

constexpr uint64_t kMiB = uint64_t{1} << 20;

struct StoreSettings {
  int timeout_seconds = 0;  // 0: the stores' defaults
};

// One cloud: its server's port, and how to make a store on a fresh bucket or
// container of it that talks to `endpoint` (the proxy's). The bucket or
// container is created directly on the server, not through the proxy.
// Objects above 8 MiB go up in pieces (S3 parts of 5 MiB, Azure blocks of
// 4 MiB), so that the multi-piece path meets the faults too.
struct Cloud {
  std::string name;
  std::function<Result<int>()> server_port;
  std::function<std::shared_ptr<Store>(const std::string& endpoint, const StoreSettings&)> make;
};

// gtest shows the parameter in test names (and ctest's): its name, not its bytes.
void PrintTo(const Cloud& cloud, std::ostream* os) {
  *os << cloud.name;
}

std::shared_ptr<Store> MakeS3Store(const std::string& server_endpoint, const std::string& endpoint,
                                   const StoreSettings& settings) {
  S3Options options;
  options.bucket = testing::UniqueBucketName();
  options.endpoint = server_endpoint;
  options.path_style = true;
  options.credentials = {"testing", "testing", ""};
  if (auto created = S3Store(options).CreateBucket(); !created) {
    ADD_FAILURE() << created.error().message();
    return nullptr;
  }
  options.endpoint = endpoint;
  options.multipart_threshold = 8 * kMiB;
  options.part_size = 5 * kMiB;
  options.timeout_seconds = settings.timeout_seconds;
  return std::make_shared<S3Store>(options);
}

Cloud S3OnMoto() {
  return {"S3",
          []() -> Result<int> {
            ASSIGN_OR_RETURN(auto server, testing::MotoServer::Shared());
            return server->port();
          },
          [](const std::string& endpoint, const StoreSettings& settings) -> std::shared_ptr<Store> {
            auto server = testing::MotoServer::Shared();
            if (!server) return nullptr;
            return MakeS3Store((*server)->endpoint(), endpoint, settings);
          }};
}

Cloud AzureOnAzurite() {
  return {"Azure",
          []() -> Result<int> {
            ASSIGN_OR_RETURN(auto server, testing::AzuriteServer::Shared());
            return server->port();
          },
          [](const std::string& endpoint, const StoreSettings& settings) -> std::shared_ptr<Store> {
            auto server = testing::AzuriteServer::Shared();
            if (!server) return nullptr;
            AzureConfig config = (*server)->Config(testing::AzuriteServer::NewContainerName());
            if (auto created = AzureStore(config, {}).CreateContainer(); !created) {
              ADD_FAILURE() << created.error().message();
              return nullptr;
            }
            config.endpoint = endpoint + "/" + std::string(testing::kAzuriteAccount);
            config.timeout_seconds = settings.timeout_seconds;
            return std::make_shared<AzureStore>(
                config, AzureStore::Options{.block_threshold = 8 * kMiB, .block_size = 4 * kMiB});
          }};
}

// Counts the waits between attempts instead of waiting long.
struct RetryCounter {
  std::atomic<int> retries{0};
  std::function<void()> on_first_retry;

  RetryPolicy Policy(int max_attempts) {
    RetryPolicy policy;
    policy.max_attempts = max_attempts;
    policy.sleep = [this](std::chrono::nanoseconds) {
      if (retries++ == 0 && on_first_retry) on_first_retry();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    };
    return policy;
  }
};

class HttpWireFaultTest : public ::testing::TestWithParam<Cloud> {
 protected:
  void SetUp() override {
    auto port = GetParam().server_port();
    ASSERT_TRUE(port) << port.error().message();
    auto proxy = FaultProxy::Start(*port);
    ASSERT_TRUE(proxy) << proxy.error().message();
    proxy_ = std::move(*proxy);
  }

  std::shared_ptr<Store> Bare(StoreSettings settings = {}) { return GetParam().make(proxy_->endpoint(), settings); }

  std::shared_ptr<RetryStore> Retrying(RetryCounter& counter, int max_attempts = 6, StoreSettings settings = {}) {
    auto inner = Bare(settings);
    if (inner == nullptr) return nullptr;
    return std::make_shared<RetryStore>(inner, counter.Policy(max_attempts));
  }

  FaultProxy::Stats Stats() {
    auto stats = proxy_->GetStats();
    EXPECT_TRUE(stats) << stats.error().message();
    return stats ? *stats : FaultProxy::Stats{};
  }

  std::unique_ptr<FaultProxy> proxy_;
};

TEST_P(HttpWireFaultTest, ConnectionResetMidUploadIsRetried) {
  RetryCounter counter;
  auto store = Retrying(counter);
  ASSERT_NE(store, nullptr);
  // One PUT of 7 MiB, then 13 MiB in parts / blocks: each time the first
  // connection to carry 3 MiB is cut in the middle of a body. The cut
  // request must go again for the Put to succeed: libcurl resends it itself
  // when the connection was a reused one that died before any answer (the
  // body rewinds), else the RetryStore does. Which one depends on which
  // pooled connection the cut hits, so only the outcome is checked.
  for (uint64_t size : {7 * kMiB, 13 * kMiB + 17}) {
    std::string name = fmt::format("data/reset-{}", size);
    Bytes data = Pattern(size, static_cast<uint8_t>(size));
    uint64_t resets = Stats().resets;
    ASSERT_TRUE(proxy_->ResetAfter(3 * kMiB, 1));
    auto put = store->Put(name, data, PutMode::kCreateOnly);
    ASSERT_TRUE(put) << put.error().message();
    EXPECT_EQ(Stats().resets, resets + 1) << name;
    auto got = store->Get(name);
    ASSERT_TRUE(got) << got.error().message();
    EXPECT_TRUE(*got == data) << name << ": the object is not the bytes put";
  }
}

TEST_P(HttpWireFaultTest, SlowDownIsUnavailableAndRetriedUntilItPasses) {
  auto bare = Bare();
  ASSERT_NE(bare, nullptr);
  ASSERT_TRUE(proxy_->SlowDown(1));
  auto refused = bare->Put("index/one", AsBytes("x"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), Code::kUnavailable) << refused.error().message();
  EXPECT_NE(refused.error().message().find(GetParam().name == "S3" ? "SlowDown" : "ServerBusy"), std::string::npos)
      << refused.error().message();
  EXPECT_NE(refused.error().message().find(bare->Location()), std::string::npos) << refused.error().message();

  RetryCounter counter;
  auto store = Retrying(counter);
  ASSERT_NE(store, nullptr);
  Bytes data = Pattern(300000, 3);
  FaultProxy::Stats before = Stats();
  ASSERT_TRUE(proxy_->SlowDown(3));
  auto put = store->Put("index/two", data);
  ASSERT_TRUE(put) << put.error().message();
  FaultProxy::Stats after = Stats();
  EXPECT_EQ(after.slowdowns - before.slowdowns, 3u);
  EXPECT_EQ(after.requests - before.requests, 4u);  // three refused, one through
  EXPECT_EQ(counter.retries, 3);
  auto got = store->Get("index/two");
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_TRUE(*got == data);
}

TEST_P(HttpWireFaultTest, SlowDownBeyondTheBudgetIsReported) {
  RetryCounter counter;
  auto store = Retrying(counter, /*max_attempts=*/3);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(proxy_->SlowDown(5));
  auto got = store->Get("config");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code(), Code::kUnavailable) << got.error().message();
  EXPECT_NE(got.error().message().find("gave up after 3 attempts"), std::string::npos) << got.error().message();
  EXPECT_EQ(Stats().slowdowns, 3u);
}

TEST_P(HttpWireFaultTest, LatencyAndABandwidthCapKeepTheBytesRight) {
  RetryCounter counter;
  auto store = Retrying(counter);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(proxy_->SetLatency(std::chrono::milliseconds(40)));
  ASSERT_TRUE(proxy_->SetBandwidth(8 * kMiB));
  Bytes big = Pattern(9 * kMiB + 5, 7);  // in parts / blocks
  Bytes small = Pattern(70000, 8);
  ASSERT_TRUE(store->Put("data/big", big));
  ASSERT_TRUE(store->Put("data/small", small, PutMode::kCreateOnly));
  auto got = store->Get("data/big");
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_TRUE(*got == big);
  auto range = store->Get("data/big", 5 * kMiB - 3, 1000);
  ASSERT_TRUE(range) << range.error().message();
  EXPECT_TRUE(std::equal(range->begin(), range->end(), big.begin() + 5 * kMiB - 3));
  EXPECT_EQ(*store->Get("data/small"), small);
  EXPECT_EQ(testing::ListNames(*store, "data/"), (std::multiset<std::string>{"data/big", "data/small"}));
  EXPECT_EQ(counter.retries, 0);  // slow is not broken
}

// A server that accepts and never answers: kUnavailable naming the store
// after the store's timeout (2 s here; 60 s without the timeout option).
TEST_P(HttpWireFaultTest, BlackholeIsUnavailableAfterTheTimeout) {
  RetryCounter counter;
  auto store = Retrying(counter, /*max_attempts=*/2, {.timeout_seconds = 2});
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(proxy_->Blackhole());
  auto start = std::chrono::steady_clock::now();
  auto got = store->Get("config");
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code(), Code::kUnavailable) << got.error().message();
  EXPECT_NE(got.error().message().find(store->Location()), std::string::npos) << got.error().message();
  EXPECT_NE(got.error().message().find("request to " + GetParam().name + " failed"), std::string::npos)
      << got.error().message();
  EXPECT_NE(got.error().message().find("gave up after 2 attempts"), std::string::npos) << got.error().message();
  EXPECT_EQ(counter.retries, 1);
  EXPECT_GE(Stats().blackholed, 1u);
  // Not a hang: two attempts of 2 s, far from the default 2 x 60 s.
  EXPECT_LT(elapsed, std::chrono::seconds(40));
  // Once the network is back, the same store works.
  ASSERT_TRUE(proxy_->Clear());
  auto put = store->Put("config", AsBytes("back"));
  ASSERT_TRUE(put) << put.error().message();
  EXPECT_EQ(*store->Get("config"), ToBytes("back"));
}

INSTANTIATE_TEST_SUITE_P(Clouds, HttpWireFaultTest, ::testing::Values(S3OnMoto(), AzureOnAzurite()),
                         [](const auto& info) { return info.param.name; });

// A moto of its own (the shared one serves other tests meanwhile), stopped
// with SIGSTOP while a Put is sending its body and continued by the retry
// that follows: the Put succeeds on a later attempt.
TEST(MotoPausedTest, PutWhileTheServerIsStoppedIsRetried) {
  int port = testing::FreePort();
  testing::ServerProcess::Options options;
  options.argv = {"python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", std::to_string(port)};
  options.port = port;
  auto moto = testing::ServerProcess::Start(std::move(options));
  ASSERT_TRUE(moto) << moto.error().message();
  // The proxy only slows the upload down, so that it is still running when
  // the server stops.
  auto proxy = FaultProxy::Start(port);
  ASSERT_TRUE(proxy) << proxy.error().message();
  ASSERT_TRUE((*proxy)->SetBandwidth(4 * kMiB));
  auto inner = MakeS3Store("http://127.0.0.1:" + std::to_string(port), (*proxy)->endpoint(), {.timeout_seconds = 2});
  ASSERT_NE(inner, nullptr);
  RetryCounter counter;
  counter.on_first_retry = [&] {
    (*moto)->Resume();
    EXPECT_TRUE((*proxy)->Clear());
  };
  RetryStore store(inner, counter.Policy(6));
  Bytes data = Pattern(6 * kMiB, 9);  // one PUT

  Status put;
  std::thread putter([&] { put = store.Put("data/paused", data); });
  // Stop the server once a part of the body has gone through.
  for (int i = 0; i < 3000; ++i) {
    auto stats = (*proxy)->GetStats();
    if (stats && stats->bytes_up > kMiB) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  (*moto)->Pause();
  putter.join();
  (*moto)->Resume();  // in case the Put never failed
  ASSERT_TRUE(put) << put.error().message();
  EXPECT_GE(counter.retries, 1) << "the Put went through although the server was stopped";
  auto got = store.Get("data/paused");
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_TRUE(*got == data);
}

}  // namespace
}  // namespace arkiv::storage
