#include "storage/wrappers/limit_store.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <numeric>
#include <thread>
#include <vector>

#include "core/status_test_util.h"
#include "storage/backends/memory_store.h"
#include "storage/testing/conformance.h"
#include "storage/wrappers/fault_store.h"

namespace {

using namespace std::chrono_literals;

// Sleeps that do not wait: the limiters still keep their books.
arkiv::storage::ClockHooks NoWaiting() {
  return {.now = nullptr, .sleep = [](std::chrono::nanoseconds) {}};
}

}  // namespace

ARKIV_STORE_CONFORMANCE(Limit, [] {
  using namespace arkiv::storage;
  return std::make_shared<LimitStore>(std::make_shared<MemoryStore>(),
                                      LimitOptions{.connections = 2,
                                                   .upload_bytes_per_second = 1 << 20,
                                                   .download_bytes_per_second = 1 << 20,
                                                   .hooks = NoWaiting()});
});

// One connection: the concurrent parts of the suite queue up and still pass.
ARKIV_STORE_CONFORMANCE(LimitOneConnection, [] {
  using namespace arkiv::storage;
  return std::make_shared<LimitStore>(std::make_shared<MemoryStore>(), LimitOptions{.connections = 1});
});

namespace arkiv::storage {
namespace {

// Forwards to another store and records how many calls were inside it at
// once.
class ConcurrencyProbe : public Store {
 public:
  explicit ConcurrencyProbe(std::shared_ptr<Store> inner) : inner_(std::move(inner)) {}

  int max_in_flight() const { return max_; }
  int calls() const { return calls_; }

  std::string Location() const override { return inner_->Location(); }
  Status Put(std::string_view name, ByteView data, PutMode mode) override {
    return Inside([&] { return inner_->Put(name, data, mode); });
  }
  Result<Bytes> Get(std::string_view name, uint64_t offset, uint64_t length) override {
    return Inside([&] { return inner_->Get(name, offset, length); });
  }
  Result<ObjectInfo> Stat(std::string_view name) override {
    return Inside([&] { return inner_->Stat(name); });
  }
  Status List(std::string_view prefix, const std::function<Status(const ObjectInfo&)>& fn) override {
    return Inside([&] { return inner_->List(prefix, fn); });
  }
  Status Remove(std::string_view name) override {
    return Inside([&] { return inner_->Remove(name); });
  }

 private:
  template <typename F>
  auto Inside(F call) -> decltype(call()) {
    int now = ++in_flight_;
    ++calls_;
    for (int seen = max_; now > seen && !max_.compare_exchange_weak(seen, now);) {
    }
    auto result = call();
    --in_flight_;
    return result;
  }

  std::shared_ptr<Store> inner_;
  std::atomic<int> in_flight_{0}, max_{0}, calls_{0};
};

// A clock that only moves when a limiter sleeps (or the test moves it).
struct FakeClock {
  std::mutex mutex;
  std::chrono::steady_clock::time_point now{1h};
  std::vector<std::chrono::nanoseconds> sleeps;
  bool frozen = false;  // sleeps are recorded but time stands still

  ClockHooks Hooks() {
    return {.now =
                [this] {
                  std::lock_guard lock(mutex);
                  return now;
                },
            .sleep =
                [this](std::chrono::nanoseconds d) {
                  std::lock_guard lock(mutex);
                  sleeps.push_back(d);
                  if (!frozen) now += d;
                }};
  }
  std::chrono::nanoseconds Slept() {
    std::lock_guard lock(mutex);
    return std::accumulate(sleeps.begin(), sleeps.end(), std::chrono::nanoseconds(0));
  }
};

constexpr uint64_t kMiB = 1 << 20;

Bytes Filled(size_t n, uint8_t salt) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i * 31 + salt);
  return b;
}

// ---- connections ------------------------------------------------------------------

TEST(LimitStoreTest, NoMoreThanNCallsReachTheStore) {
  auto memory = std::make_shared<MemoryStore>();
  ASSERT_TRUE(memory->Put("index/a", AsBytes("a")));
  auto faults = std::make_shared<FaultStore>(memory);
  auto probe = std::make_shared<ConcurrencyProbe>(faults);
  LimitStore store(probe, LimitOptions{.connections = 3});
  auto gate = faults->AddRule(FaultRule::Hang());

  // Seven calls of every kind at once; the store holds them until told.
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < 7; ++i) {
    threads.emplace_back([&, i] {
      bool ok = true;
      switch (i % 5) {
        case 0: ok = store.Put("data/" + std::to_string(i), AsBytes("x")).has_value(); break;
        case 1: ok = store.Get("index/a").has_value(); break;
        case 2: ok = store.Stat("index/a").has_value(); break;
        case 3: ok = store.List("index/", [](const ObjectInfo&) { return OkStatus(); }).has_value(); break;
        case 4: ok = CodeOf(store.Remove("missing")) == Code::kNotFound; break;
      }
      if (!ok) ++failures;
    });
  }
  ASSERT_TRUE(faults->WaitForHung(gate, 3, 10s));
  // A fourth must not get in while three are inside.
  EXPECT_FALSE(faults->WaitForHung(gate, 4, 300ms));
  EXPECT_EQ(probe->max_in_flight(), 3);
  faults->Release(gate);
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(probe->calls(), 7);
  EXPECT_EQ(probe->max_in_flight(), 3);
}

TEST(LimitStoreTest, ManyThreadsNeverExceedTheLimit) {
  auto memory = std::make_shared<MemoryStore>();
  auto faults = std::make_shared<FaultStore>(memory);
  faults->AddRule(FaultRule::Delay(200us));
  auto probe = std::make_shared<ConcurrencyProbe>(faults);
  LimitStore store(probe, LimitOptions{.connections = 4});
  std::vector<std::thread> threads;
  for (int t = 0; t < 12; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 40; ++i) {
        std::string name = fmt::format("data/{}/{}", t, i);
        EXPECT_TRUE(store.Put(name, AsBytes(name)));
        EXPECT_EQ(*store.Get(name), ToBytes(name));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(probe->calls(), 12 * 40 * 2);
  EXPECT_LE(probe->max_in_flight(), 4);
  EXPECT_GE(probe->max_in_flight(), 1);
  EXPECT_EQ(memory->ObjectCount(), 12u * 40);
}

TEST(LimitStoreTest, ZeroConnectionsMeansNoLimit) {
  auto faults = std::make_shared<FaultStore>(std::make_shared<MemoryStore>());
  LimitStore store(faults, LimitOptions{.connections = 0});
  auto gate = faults->AddRule(FaultRule::Hang().On(Operation::kStat));
  std::vector<std::thread> threads;
  for (int i = 0; i < 20; ++i) threads.emplace_back([&] { (void)store.Stat("x"); });
  EXPECT_TRUE(faults->WaitForHung(gate, 20, 10s));
  faults->Release(gate);
  for (auto& t : threads) t.join();
}

TEST(FairSemaphoreTest, WaitersGetInInTheOrderTheyCame) {
  FairSemaphore semaphore(1);
  semaphore.Acquire();
  std::mutex mutex;
  std::vector<int> order;
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&, i] {
      FairSemaphore::Permit permit(semaphore);
      std::lock_guard lock(mutex);
      order.push_back(i);
    });
    // The next one comes only once this one is queued.
    while (semaphore.Waiting() < static_cast<size_t>(i + 1)) std::this_thread::yield();
  }
  semaphore.Release();
  for (auto& t : threads) t.join();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(semaphore.Waiting(), 0u);
}

TEST(FairSemaphoreTest, ALateComerDoesNotOvertakeAWaiter) {
  // Both permits taken; a waiter queues, then a late comer; one permit comes
  // back: the waiter must be the one to get it.
  FairSemaphore semaphore(2);
  semaphore.Acquire();
  semaphore.Acquire();
  std::atomic<int> first_in{-1};
  auto enter = [&](int who) {
    FairSemaphore::Permit permit(semaphore);
    int none = -1;
    first_in.compare_exchange_strong(none, who);
    // Holds the permit until the other one is in too: only one gets in
    // before the test gives the second permit back.
    while (semaphore.Waiting() > 0) std::this_thread::yield();
  };
  std::thread waiter(enter, 0);
  while (semaphore.Waiting() < 1) std::this_thread::yield();
  std::thread late(enter, 1);
  while (semaphore.Waiting() < 2) std::this_thread::yield();
  semaphore.Release();
  while (first_in == -1) std::this_thread::yield();
  EXPECT_EQ(first_in.load(), 0);
  semaphore.Release();
  waiter.join();
  late.join();
}

// ---- bandwidth ---------------------------------------------------------------------

TEST(LimitStoreTest, PutPaysForItsBodyAtTheUploadRate) {
  auto memory = std::make_shared<MemoryStore>();
  FakeClock clock;
  LimitStore store(memory, LimitOptions{.upload_bytes_per_second = kMiB, .hooks = clock.Hooks()});
  Bytes body = Filled(10 * kMiB, 1);
  ASSERT_TRUE(store.Put("data/big", body));
  // One slice of burst, then a second per MiB, in one-slice steps.
  EXPECT_EQ(clock.Slept(), 9s);
  EXPECT_EQ(clock.sleeps, std::vector<std::chrono::nanoseconds>(9, 1s));
  EXPECT_EQ(*memory->Get("data/big"), body);

  // Straight after: no credit is left.
  ASSERT_TRUE(store.Put("data/next", Filled(4 * kMiB, 2)));
  EXPECT_EQ(clock.Slept(), 13s);
}

TEST(LimitStoreTest, IdleTimeLeavesOnlyOneBurstOfCredit) {
  FakeClock clock;
  LimitStore store(std::make_shared<MemoryStore>(),
                   LimitOptions{.upload_bytes_per_second = kMiB, .hooks = clock.Hooks()});
  ASSERT_TRUE(store.Put("a", Filled(2 * kMiB, 1)));
  EXPECT_EQ(clock.Slept(), 1s);
  clock.now += 100s;
  ASSERT_TRUE(store.Put("b", Filled(3 * kMiB, 2)));
  EXPECT_EQ(clock.Slept(), 1s + 2s);
}

TEST(LimitStoreTest, SlowRatesGetABurstOfOneSecond) {
  FakeClock clock;
  constexpr uint64_t kRate = 500 * 1024;
  LimitStore store(std::make_shared<MemoryStore>(),
                   LimitOptions{.upload_bytes_per_second = kRate, .hooks = clock.Hooks()});
  ASSERT_TRUE(store.Put("a", Filled(1500 * 1024, 1)));
  // (1500 - 500) KiB at 500 KiB/s; the slices' durations round down by a
  // nanosecond at most.
  EXPECT_NEAR(static_cast<double>(clock.Slept().count()), 2e9, 2);
  ASSERT_TRUE(store.Put("b", Filled(250 * 1024, 1)));
  EXPECT_NEAR(static_cast<double>(clock.Slept().count()), 2.5e9, 3);
}

TEST(LimitStoreTest, GetPaysForWhatItReturnedAtTheDownloadRate) {
  auto memory = std::make_shared<MemoryStore>();
  ASSERT_TRUE(memory->Put("data/x", Filled(5 * kMiB, 3)));
  FakeClock clock;
  LimitStore store(memory, LimitOptions{.download_bytes_per_second = 2 * kMiB, .hooks = clock.Hooks()});
  ASSERT_TRUE(store.Put("data/y", Filled(8 * kMiB, 4)));  // no upload limit: free
  EXPECT_EQ(clock.Slept(), 0s);
  auto got = store.Get("data/x");
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, Filled(5 * kMiB, 3));
  // 5 MiB, 1 MiB of burst, at 2 MiB/s.
  EXPECT_EQ(clock.Slept(), 2s);
  ASSERT_TRUE(store.Get("data/x", kMiB, 2 * kMiB));  // a range pays for its length
  EXPECT_EQ(clock.Slept(), 3s);
  EXPECT_EQ(CodeOf(store.Get("data/missing")), Code::kNotFound);
  EXPECT_TRUE(store.Stat("data/x"));
  EXPECT_TRUE(store.List("data/", [](const ObjectInfo&) { return OkStatus(); }));
  EXPECT_TRUE(store.Remove("data/y"));
  EXPECT_EQ(clock.Slept(), 3s);  // none of those moved counted bytes
}

TEST(LimitStoreTest, UploadAndDownloadHaveTheirOwnBudgets) {
  FakeClock clock;
  LimitStore store(
      std::make_shared<MemoryStore>(),
      LimitOptions{.upload_bytes_per_second = kMiB, .download_bytes_per_second = kMiB, .hooks = clock.Hooks()});
  ASSERT_TRUE(store.Put("a", Filled(3 * kMiB, 1)));
  EXPECT_EQ(clock.Slept(), 2s);
  ASSERT_TRUE(store.Get("a"));  // the download budget is untouched: its own burst
  EXPECT_EQ(clock.Slept(), 4s);
}

TEST(LimitStoreTest, ConcurrentCallersShareOneRate) {
  // Time stands still, so each wait shows where a slice landed in the one
  // shared schedule: 16 slices from four threads go back to back, however
  // the threads interleave.
  FakeClock clock;
  clock.frozen = true;
  LimitStore store(std::make_shared<MemoryStore>(),
                   LimitOptions{.upload_bytes_per_second = kMiB, .hooks = clock.Hooks()});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] { EXPECT_TRUE(store.Put(fmt::format("p{}", t), Filled(4 * kMiB, 1))); });
  }
  for (auto& t : threads) t.join();
  std::vector<std::chrono::nanoseconds> waits = clock.sleeps;
  std::ranges::sort(waits);
  std::vector<std::chrono::nanoseconds> expected;
  for (int s = 1; s <= 15; ++s) expected.push_back(std::chrono::seconds(s));
  EXPECT_EQ(waits, expected);
}

TEST(LimitStoreTest, ErrorsComeBackUntouched) {
  auto faults = std::make_shared<FaultStore>(std::make_shared<MemoryStore>());
  faults->AddRule(FaultRule::Fail(Code::kPermissionDenied));
  FakeClock clock;
  LimitStore store(faults, LimitOptions{.connections = 1,
                                        .upload_bytes_per_second = kMiB,
                                        .download_bytes_per_second = kMiB,
                                        .hooks = clock.Hooks()});
  auto st = store.Put("data/x", AsBytes("x"));
  ASSERT_EQ(CodeOf(st), Code::kPermissionDenied);
  EXPECT_EQ(st.error().message(), "memory://test: put data/x: injected fault (permission denied)");
  EXPECT_EQ(CodeOf(store.Get("data/x")), Code::kPermissionDenied);
  EXPECT_EQ(CodeOf(store.Stat("data/x")), Code::kPermissionDenied);
  EXPECT_EQ(CodeOf(store.List("", [](const ObjectInfo&) { return OkStatus(); })), Code::kPermissionDenied);
  EXPECT_EQ(CodeOf(store.Remove("data/x")), Code::kPermissionDenied);
  EXPECT_EQ(store.Location(), "memory://test");
}

TEST(ByteRateLimiterTest, ReserveGivesEachSliceItsPlaceInTheSchedule) {
  FakeClock clock;
  clock.frozen = true;
  ByteRateLimiter limiter(1000, clock.Hooks());  // burst: 1000 bytes = 1 s
  EXPECT_EQ(limiter.Reserve(500), 0s);
  EXPECT_EQ(limiter.Reserve(500), 0s);
  EXPECT_EQ(limiter.Reserve(250), 250ms);
  EXPECT_EQ(limiter.Reserve(1000), 1250ms);
  clock.now += 10s;  // idle: back to one burst of credit
  EXPECT_EQ(limiter.Reserve(1000), 0s);
  EXPECT_EQ(limiter.Reserve(1), 1ms);
}

TEST(ByteRateLimiterTest, ConsumeGoesSliceBySlice) {
  FakeClock clock;
  clock.frozen = true;
  ByteRateLimiter limiter(kMiB, clock.Hooks());
  limiter.Consume(3 * kMiB + 1);
  EXPECT_EQ(clock.sleeps.size(), 3u);  // the first slice was the burst
  // The last byte after three slices, less one slice of burst; a byte takes
  // 10^9 / 2^20 ns, rounded down.
  EXPECT_EQ(clock.sleeps.back(), 2s + std::chrono::nanoseconds(953));
  EXPECT_EQ(limiter.Reserve(100 * kMiB), 102s + std::chrono::nanoseconds(953));
  limiter.Consume(0);
  EXPECT_EQ(clock.sleeps.size(), 3u);
}

}  // namespace
}  // namespace arkiv::storage
