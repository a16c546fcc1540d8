#include "core/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>

namespace arkiv {
namespace {

using namespace std::chrono_literals;

TEST(ThreadPoolTest, RunsEveryTask) {
  std::atomic<int> count{0};
  {
    ThreadPool pool(4, 8);
    EXPECT_EQ(pool.size(), 4u);
    for (int i = 0; i < 1000; ++i) pool.Submit([&] { count.fetch_add(1); });
    pool.Wait();
    EXPECT_EQ(count.load(), 1000);
  }
  EXPECT_EQ(count.load(), 1000);
}

TEST(ThreadPoolTest, AsyncReturnsValues) {
  ThreadPool pool(2, 4);
  std::vector<std::future<int>> futures;
  for (int i = 0; i < 100; ++i) futures.push_back(pool.Async([i] { return i * i; }));
  for (int i = 0; i < 100; ++i) EXPECT_EQ(futures[static_cast<size_t>(i)].get(), i * i);
  auto moved = pool.Async([s = std::string("move-only ok")] { return s; });
  EXPECT_EQ(moved.get(), "move-only ok");
}

TEST(ThreadPoolTest, WaitWaitsForRunningTasks) {
  ThreadPool pool(2, 4);
  std::atomic<int> done{0};
  for (int i = 0; i < 4; ++i) {
    pool.Submit([&] {
      std::this_thread::sleep_for(20ms);
      done.fetch_add(1);
    });
  }
  pool.Wait();
  EXPECT_EQ(done.load(), 4);
}

TEST(ThreadPoolTest, DestructorRunsQueuedTasks) {
  std::atomic<int> count{0};
  {
    ThreadPool pool(1, 100);
    for (int i = 0; i < 50; ++i) {
      pool.Submit([&] {
        std::this_thread::sleep_for(100us);
        count.fetch_add(1);
      });
    }
  }
  EXPECT_EQ(count.load(), 50);
}

TEST(ThreadPoolTest, SubmitBlocksWhileTheQueueIsFull) {
  ThreadPool pool(1, 2);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::atomic<bool> first_started{false};
  std::atomic<int> ran{0};
  pool.Submit([&] {
    first_started = true;
    gate.wait();
    ran.fetch_add(1);
  });
  while (!first_started) std::this_thread::yield();
  // The only worker is busy: two tasks fill the queue without blocking.
  pool.Submit([&] { ran.fetch_add(1); });
  pool.Submit([&] { ran.fetch_add(1); });

  std::atomic<bool> third_submitted{false};
  std::thread producer([&] {
    pool.Submit([&] { ran.fetch_add(1); });
    third_submitted = true;
  });
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(third_submitted.load()) << "Submit returned although the queue was full";
  EXPECT_EQ(ran.load(), 0);

  release.set_value();
  producer.join();
  EXPECT_TRUE(third_submitted.load());
  pool.Wait();
  EXPECT_EQ(ran.load(), 4);
}

TEST(ThreadPoolTest, ZeroSizesMeanOne) {
  ThreadPool pool(0, 0);
  EXPECT_EQ(pool.size(), 1u);
  EXPECT_EQ(pool.Async([] { return 7; }).get(), 7);
}

TEST(ThreadPoolTest, DefaultParallelismIsPositive) { EXPECT_GE(DefaultParallelism(), 1u); }

}  // namespace
}  // namespace arkiv
