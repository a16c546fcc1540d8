#include "storage/wrappers/metrics_store.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "core/status_test_util.h"
#include "storage/backends/memory_store.h"
#include "storage/testing/conformance.h"
#include "storage/wrappers/fault_store.h"
#include "storage/wrappers/retry_store.h"

ARKIV_STORE_CONFORMANCE(Metrics, [] {
  using namespace arkiv::storage;
  return std::make_shared<MetricsStore>(std::make_shared<MemoryStore>(), std::make_shared<StoreMetrics>("memory"));
});

namespace arkiv::storage {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Forwards to another store; each call takes exactly `latency` on a fake
// clock.
class SlowStore : public Store {
 public:
  explicit SlowStore(std::shared_ptr<Store> inner) : inner_(std::move(inner)) {}

  Clock::time_point now{1h};
  std::chrono::nanoseconds latency{0};

  std::string Location() const override { return inner_->Location(); }
  Status Put(std::string_view name, ByteView data, PutMode mode) override {
    now += latency;
    return inner_->Put(name, data, mode);
  }
  Result<Bytes> Get(std::string_view name, uint64_t offset, uint64_t length) override {
    now += latency;
    return inner_->Get(name, offset, length);
  }
  Result<ObjectInfo> Stat(std::string_view name) override {
    now += latency;
    return inner_->Stat(name);
  }
  Status List(std::string_view prefix, const std::function<Status(const ObjectInfo&)>& fn) override {
    now += latency;
    return inner_->List(prefix, fn);
  }
  Status Remove(std::string_view name) override {
    now += latency;
    return inner_->Remove(name);
  }

 private:
  std::shared_ptr<Store> inner_;
};

// The cumulative buckets of calls that took `latencies`.
std::array<uint64_t, kLatencyBucketCount> Buckets(std::initializer_list<std::chrono::nanoseconds> latencies) {
  std::array<uint64_t, kLatencyBucketCount> buckets{};
  for (auto latency : latencies) {
    for (size_t b = 0; b < kLatencyBucketCount; ++b) {
      if (b == kLatencyBucketBounds.size() || latency <= kLatencyBucketBounds[b]) buckets[b]++;
    }
  }
  return buckets;
}

class MetricsStoreTest : public ::testing::Test {
 protected:
  std::shared_ptr<MemoryStore> memory_ = std::make_shared<MemoryStore>();
  std::shared_ptr<FaultStore> faults_ = std::make_shared<FaultStore>(memory_);
  std::shared_ptr<SlowStore> slow_ = std::make_shared<SlowStore>(faults_);
  std::shared_ptr<StoreMetrics> metrics_ = std::make_shared<StoreMetrics>("aws");
  MetricsStore store_{slow_, metrics_, [this] { return slow_->now; }};

  template <typename F>
  auto Taking(std::chrono::nanoseconds latency, F call) {
    slow_->latency = latency;
    return call();
  }
};

TEST_F(MetricsStoreTest, CountsScriptedCallsExactly) {
  auto ok = [](const ObjectInfo&) { return OkStatus(); };
  // put: two successes, one failure whose bytes do not count.
  ASSERT_TRUE(Taking(3ms, [&] { return store_.Put("data/a", Bytes(100, 1)); }));
  ASSERT_TRUE(Taking(5ms, [&] { return store_.Put("data/b", Bytes(50, 2)); }));  // on the bound: le 0.005
  faults_->AddRule(FaultRule::Fail(Code::kUnavailable).On(Operation::kPut).Times(1));
  EXPECT_EQ(CodeOf(Taking(7ms, [&] { return store_.Put("data/c", Bytes(10, 3)); })), Code::kUnavailable);
  EXPECT_EQ(CodeOf(Taking(1ms, [&] { return store_.Put("data/a", Bytes(1, 3), PutMode::kCreateOnly); })),
            Code::kAlreadyExists);
  // get: a whole object, a range, a missing one.
  ASSERT_TRUE(Taking(12ms, [&] { return store_.Get("data/a"); }));
  ASSERT_TRUE(Taking(2s, [&] { return store_.Get("data/a", 10, 20); }));
  EXPECT_EQ(CodeOf(Taking(0ms, [&] { return store_.Get("data/missing"); })), Code::kNotFound);
  // stat: one slower than the last bound.
  ASSERT_TRUE(Taking(30s, [&] { return store_.Stat("data/a"); }));
  // list: fine; refused by the store; stopped by the caller (no store error).
  ASSERT_TRUE(Taking(40ms, [&] { return store_.List("data/", ok); }));
  faults_->AddRule(FaultRule::Fail(Code::kPermissionDenied).On(Operation::kList).Times(1));
  EXPECT_EQ(CodeOf(Taking(60ms, [&] { return store_.List("data/", ok); })), Code::kPermissionDenied);
  auto stop = [](const ObjectInfo&) -> Status { return Fail(Code::kCancelled, "enough"); };
  EXPECT_EQ(CodeOf(Taking(100ms, [&] { return store_.List("data/", stop); })), Code::kCancelled);
  // remove: one done, one of what is gone.
  ASSERT_TRUE(Taking(250ms, [&] { return store_.Remove("data/b"); }));
  EXPECT_EQ(CodeOf(Taking(251ms, [&] { return store_.Remove("data/b"); })), Code::kNotFound);

  StoreMetricsSnapshot got = metrics_->Snapshot();
  EXPECT_EQ(got.cloud, "aws");

  const OperationMetrics& put = got[Operation::kPut];
  EXPECT_EQ(put.requests, 4u);
  EXPECT_EQ(put.errors, (std::map<Code, uint64_t>{{Code::kUnavailable, 1}, {Code::kAlreadyExists, 1}}));
  EXPECT_EQ(put.error_count(), 2u);
  EXPECT_EQ(put.bytes_up, 150u);
  EXPECT_EQ(put.bytes_down, 0u);
  EXPECT_EQ(put.latency_buckets, Buckets({3ms, 5ms, 7ms, 1ms}));
  EXPECT_EQ(put.latency_buckets[0], 3u);  // 1, 3 and 5 ms
  EXPECT_EQ(put.latency_sum, 16ms);

  const OperationMetrics& get = got[Operation::kGet];
  EXPECT_EQ(get.requests, 3u);
  EXPECT_EQ(get.errors, (std::map<Code, uint64_t>{{Code::kNotFound, 1}}));
  EXPECT_EQ(get.bytes_down, 120u);
  EXPECT_EQ(get.bytes_up, 0u);
  EXPECT_EQ(get.latency_buckets, Buckets({12ms, 2s, 0ms}));
  EXPECT_EQ(get.latency_sum, 2012ms);

  const OperationMetrics& stat = got[Operation::kStat];
  EXPECT_EQ(stat.requests, 1u);
  EXPECT_TRUE(stat.errors.empty());
  EXPECT_EQ(stat.latency_buckets[kLatencyBucketCount - 2], 0u);  // not within 10 s
  EXPECT_EQ(stat.latency_buckets.back(), 1u);                    // only in +Inf
  EXPECT_EQ(stat.latency_sum, 30s);

  const OperationMetrics& list = got[Operation::kList];
  EXPECT_EQ(list.requests, 3u);
  EXPECT_EQ(list.errors, (std::map<Code, uint64_t>{{Code::kPermissionDenied, 1}}));
  EXPECT_EQ(list.latency_buckets, Buckets({40ms, 60ms, 100ms}));

  const OperationMetrics& remove = got[Operation::kRemove];
  EXPECT_EQ(remove.requests, 2u);
  EXPECT_EQ(remove.errors, (std::map<Code, uint64_t>{{Code::kNotFound, 1}}));
  EXPECT_EQ(remove.latency_buckets[5], 1u);  // 250 ms is within le 0.25, 251 ms is not
  EXPECT_EQ(remove.latency_buckets[6], 2u);
  EXPECT_EQ(remove.latency_sum, 501ms);

  // A snapshot is a plain value: later calls do not change it.
  StoreMetricsSnapshot copy = got;
  ASSERT_TRUE(store_.Stat("data/a"));
  EXPECT_EQ(copy, got);
  EXPECT_NE(metrics_->Snapshot(), got);
}

TEST_F(MetricsStoreTest, InsideARetryStoreEveryAttemptCounts) {
  faults_->AddRule(FaultRule::Fail(Code::kUnavailable).On(Operation::kPut).Times(2));
  RetryStore retrying(
      std::make_shared<MetricsStore>(faults_, metrics_),
      RetryPolicy{.max_attempts = 5, .base_delay = {}, .max_delay = {}, .sleep = [](auto) {}, .seed = 1});
  ASSERT_TRUE(retrying.Put("data/x", Bytes(1000, 7)));
  auto put = metrics_->Snapshot()[Operation::kPut];
  EXPECT_EQ(put.requests, 3u);
  EXPECT_EQ(put.errors, (std::map<Code, uint64_t>{{Code::kUnavailable, 2}}));
  EXPECT_EQ(put.bytes_up, 1000u);  // what got there, once
}

TEST_F(MetricsStoreTest, ErrorsComeBackUntouched) {
  faults_->AddRule(FaultRule::Fail(Code::kDataLoss).On(Operation::kGet));
  auto got = store_.Get("data/x");
  ASSERT_EQ(CodeOf(got), Code::kDataLoss);
  EXPECT_EQ(got.error().message(), "memory://test: get data/x: injected fault (data loss)");
  EXPECT_EQ(store_.Location(), "memory://test");
}

// A store whose GetChecked tells right bytes from wrong ones itself (as the
// placement store does, trying another copy): MetricsStore must hand the
// check down, not apply it to what a plain Get returned.
class SecondCopyStore : public MemoryStore {
 public:
  Result<Bytes> GetChecked(std::string_view name, uint64_t offset, uint64_t length,
                           const std::function<Status(ByteView)>& check) override {
    ASSIGN_OR_RETURN(Bytes bytes, Get(name, offset, length));
    Bytes first = bytes;
    first[0] ^= 1;  // the first copy is damaged
    if (check(first)) return first;
    RETURN_IF_ERROR(check(bytes));
    return bytes;
  }
};

TEST(MetricsStoreGetCheckedTest, ForwardsTheCheckAndCountsOneGet) {
  auto inner = std::make_shared<SecondCopyStore>();
  ASSERT_TRUE(inner->Put("data/a", Bytes{1, 2, 3}));
  auto metrics = std::make_shared<StoreMetrics>("c");
  MetricsStore store(inner, metrics);
  int checks = 0;
  auto got = store.GetChecked("data/a", 0, Store::kToEnd, [&](ByteView bytes) -> Status {
    checks++;
    if (bytes[0] != 1) return Fail(Code::kDataLoss, "wrong");
    return OkStatus();
  });
  ASSERT_TRUE(got.has_value()) << got.error().ToString();
  EXPECT_EQ(*got, (Bytes{1, 2, 3}));
  EXPECT_EQ(checks, 2);
  auto get = metrics->Snapshot()[Operation::kGet];
  EXPECT_EQ(get.requests, 1u);
  EXPECT_EQ(get.bytes_down, 3u);
}

TEST(StoreMetricsTest, ConcurrentRecordsAreAllCounted) {
  StoreMetrics metrics("c");
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5000; ++i) {
        metrics.Record(Operation::kGet, std::chrono::milliseconds(i % 20), i % 10 == 0 ? Code::kUnavailable : Code::kOk,
                       0, static_cast<uint64_t>(t + 1));
      }
    });
  }
  // Snapshots taken meanwhile are always consistent within an operation.
  for (int i = 0; i < 200; ++i) {
    auto get = metrics.Snapshot()[Operation::kGet];
    ASSERT_EQ(get.latency_buckets.back(), get.requests);
    ASSERT_TRUE(std::is_sorted(get.latency_buckets.begin(), get.latency_buckets.end()));
  }
  for (auto& t : threads) t.join();
  auto get = metrics.Snapshot()[Operation::kGet];
  EXPECT_EQ(get.requests, 40000u);
  EXPECT_EQ(get.errors.at(Code::kUnavailable), 4000u);
  EXPECT_EQ(get.bytes_down, 4500u * (1 + 2 + 3 + 4 + 5 + 6 + 7 + 8));
  // 0..19 ms, 250 times each per thread: 0-5 ms fall in the first bucket.
  EXPECT_EQ(get.latency_buckets[0], 8u * 250 * 6);
  EXPECT_EQ(get.latency_sum, std::chrono::milliseconds(8 * 250 * 190));
}

TEST(StoreMetricsTest, LatencyBucketsIncludeTheirUpperBound) {
  EXPECT_EQ(LatencyBucket(0ns), 0u);
  EXPECT_EQ(LatencyBucket(5ms), 0u);
  EXPECT_EQ(LatencyBucket(5ms + 1ns), 1u);
  EXPECT_EQ(LatencyBucket(10s), kLatencyBucketBounds.size() - 1);
  EXPECT_EQ(LatencyBucket(10s + 1ns), kLatencyBucketBounds.size());  // +Inf
  EXPECT_EQ(LatencyBucket(24h), kLatencyBucketBounds.size());
}

}  // namespace
}  // namespace arkiv::storage
