// SftpStore under a RetryStore, as arkiv stacks it, with its sshd stopped
// (SIGSTOP) in the middle of an operation: a short stop is waited out and
// the operation completes; a long one is cut by the session watchdog after
// the URL's timeout, and the retry that follows succeeds. Nothing hangs.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "core/status_test_util.h"
#include "storage/backends/sftp_store.h"
#include "storage/backends/sftp_url.h"
#include "storage/testing/conformance.h"
#include "storage/testing/sshd_server.h"
#include "storage/wrappers/retry_store.h"

namespace arkiv::storage {
namespace {

using testing::MakeTempDir;
using testing::Pattern;
using testing::SshdServer;

constexpr uint64_t kMiB = uint64_t{1} << 20;

std::shared_ptr<SftpStore> StoreAt(const std::string& url) {
  auto location = ParseSftpUrl(url);
  EXPECT_TRUE(location) << location.error().message();
  if (!location) return nullptr;
  return std::make_shared<SftpStore>(std::move(*location));
}

// Bytes of temporary files (".arkiv-tmp-*") under `root`: a Put in progress.
uint64_t TemporaryBytes(const std::string& root) {
  uint64_t bytes = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->path().filename().string().starts_with(kReservedNamePrefix)) bytes += it->file_size(ec);
  }
  return bytes;
}

class SftpWireFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!SshdServer::Available()) GTEST_SKIP() << "needs root and /usr/sbin/sshd";
    auto server = SshdServer::Start();
    ASSERT_TRUE(server) << server.error().message();
    server_ = std::move(*server);
    root_ = MakeTempDir("sftp-faults");
  }
  void TearDown() override {
    if (server_) server_->Resume();  // never leave a stopped sshd behind
  }

  // A RetryStore over an SftpStore whose calls time out after `timeout` s;
  // the first wait between attempts continues the server.
  std::shared_ptr<RetryStore> Retrying(int timeout) {
    auto inner = StoreAt(server_->Url(root_) + "&timeout=" + std::to_string(timeout));
    if (inner == nullptr) return nullptr;
    RetryPolicy policy;
    policy.max_attempts = 4;
    policy.sleep = [this](std::chrono::nanoseconds) {
      if (retries_++ == 0) server_->Resume();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    };
    return std::make_shared<RetryStore>(inner, policy);
  }

  std::unique_ptr<SshdServer> server_;
  std::string root_;
  std::atomic<int> retries_{0};
};

TEST_F(SftpWireFaultTest, ServerStoppedMidPutIsCutByTheWatchdogAndRetried) {
  auto store = Retrying(/*timeout=*/2);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Put("config", AsBytes("first")));  // a session in the pool
  Bytes data = Pattern(48 * kMiB, 4);
  Status put;
  std::thread putter([&] { put = store->Put("data/big", data, PutMode::kCreateOnly); });
  // Stop the server (the listener and its session processes) once the
  // temporary file is growing: the Put is in the middle of its body.
  bool writing = false;
  for (int i = 0; i < 6000 && !writing; ++i) {
    writing = TemporaryBytes(root_) > 0;
    if (!writing) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  server_->Pause();
  putter.join();
  ASSERT_TRUE(writing) << "the Put never started writing";
  ASSERT_TRUE(put) << put.error().message();
  EXPECT_GE(retries_, 1) << "the stop went unnoticed: the Put finished before it";
  auto got = store->Get("data/big");
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_TRUE(*got == data);
  EXPECT_EQ(testing::ListNames(*store, ""), (std::multiset<std::string>{"config", "data/big"}));
}

TEST_F(SftpWireFaultTest, ShortStopIsWaitedOut) {
  auto store = Retrying(/*timeout=*/30);
  ASSERT_NE(store, nullptr);
  Bytes data = Pattern(6 * kMiB, 5);
  ASSERT_TRUE(store->Put("data/x", data));
  server_->Pause();
  Result<Bytes> got = Bytes();
  std::thread getter([&] { got = store->Get("data/x"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the Get waits for the server meanwhile
  server_->Resume();
  getter.join();
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_TRUE(*got == data);
  EXPECT_EQ(retries_, 0);  // completed by the first attempt
}

}  // namespace
}  // namespace arkiv::storage
