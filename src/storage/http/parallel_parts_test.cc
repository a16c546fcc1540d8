#include "storage/http/parallel_parts.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "core/status_test_util.h"

namespace arkiv::storage::http {
namespace {

TEST(SplitIntoPartsTest, SlicesViewTheCallersBytes) {
  Bytes data(1000);
  auto parts = SplitIntoParts(data, 300, 100);
  ASSERT_EQ(parts.size(), 4u);
  for (size_t i = 0; i < parts.size(); ++i) {
    EXPECT_EQ(parts[i].data(), data.data() + i * 300) << "part " << i << " is a copy or misplaced";
    EXPECT_EQ(parts[i].size(), i < 3 ? 300u : 100u);
  }
  EXPECT_TRUE(SplitIntoParts(ByteView(), 300, 100).empty());
  EXPECT_EQ(SplitIntoParts(data, 1000, 100).size(), 1u);
  EXPECT_EQ(SplitIntoParts(data, 999, 100).size(), 2u);
}

TEST(SplitIntoPartsTest, PartSizeGrowsToStayWithinMaxParts) {
  Bytes data(1000);
  auto parts = SplitIntoParts(data, 10, 7);  // 100 parts asked, 7 allowed: 143 bytes each
  ASSERT_EQ(parts.size(), 7u);
  EXPECT_EQ(parts[0].size(), 143u);
  EXPECT_EQ(parts[6].size(), 1000u - 6 * 143);
  EXPECT_EQ(parts[6].data() + parts[6].size(), data.data() + data.size());
}

TEST(UploadPartsInParallelTest, EveryPartOnceAndAllAtOnce) {
  constexpr size_t kCount = 40, kParallelism = 4;
  std::mutex mutex;
  std::condition_variable changed;
  std::multiset<size_t> seen;
  size_t in_flight = 0, most_in_flight = 0, first_arrived = 0;
  bool all_four_met = false;
  Status status = UploadPartsInParallel(kCount, kParallelism, [&](size_t part) -> Status {
    std::unique_lock lock(mutex);
    seen.insert(part);
    most_in_flight = std::max(most_in_flight, ++in_flight);
    if (part < kParallelism) {
      // The first four wait for one another: they only meet if they run at once.
      // (The deadline only keeps a broken implementation from hanging the test.)
      ++first_arrived;
      changed.notify_all();
      if (changed.wait_for(lock, std::chrono::seconds(30), [&] { return first_arrived == kParallelism; })) {
        all_four_met = true;
      }
    }
    --in_flight;
    return OkStatus();
  });
  ASSERT_TRUE(status) << status.error().message();
  EXPECT_TRUE(all_four_met);
  EXPECT_LE(most_in_flight, kParallelism);
  ASSERT_EQ(seen.size(), kCount);
  for (size_t i = 0; i < kCount; ++i) EXPECT_EQ(seen.count(i), 1u) << i;
}

TEST(UploadPartsInParallelTest, NoPartStartsAfterAFailure) {
  std::vector<size_t> started;
  Status status = UploadPartsInParallel(10, 1, [&](size_t part) -> Status {
    started.push_back(part);
    if (part == 3) return Fail(Code::kUnavailable, "part 4 refused");
    return OkStatus();
  });
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code(), Code::kUnavailable);
  EXPECT_EQ(status.error().message(), "part 4 refused");
  EXPECT_EQ(started, (std::vector<size_t>{0, 1, 2, 3}));
}

TEST(UploadPartsInParallelTest, ReportsTheFirstFailureAfterAllStartedPartsEnd) {
  std::atomic<int> running{0};
  std::atomic<bool> overlap_after_return{false};
  Status status = UploadPartsInParallel(100, 8, [&](size_t part) -> Status {
    ++running;
    Status result = OkStatus();
    if (part == 5) result = Fail(Code::kPermissionDenied, "denied");
    std::this_thread::yield();
    --running;
    return result;
  });
  if (running != 0) overlap_after_return = true;
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code(), Code::kPermissionDenied);
  EXPECT_FALSE(overlap_after_return) << "a part was still running when the call returned";
}

TEST(UploadPartsInParallelTest, NothingToDo) {
  bool called = false;
  EXPECT_TRUE(UploadPartsInParallel(0, 4, [&](size_t) -> Status {
    called = true;
    return OkStatus();
  }));
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace arkiv::storage::http
