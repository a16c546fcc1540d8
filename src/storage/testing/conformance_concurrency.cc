// Concurrency and size: many writers, racing create-only puts, atomic
// replacement under concurrent readers, and one object above 100 MiB.
#include <atomic>
#include <thread>
#include <vector>

#include "storage/testing/conformance.h"

namespace arkiv::storage::testing {
namespace {

TEST_P(StoreConformanceTest, ConcurrentPuts) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        Bytes data = Pattern(1000 + static_cast<size_t>(i), static_cast<uint8_t>(t));
        std::string name = "data/" + std::to_string(t) + "/" + std::to_string(i);
        if (!store_->Put(name, data)) ++failures;
        auto got = store_->Get(name);
        if (!got || *got != data) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(ListNames(*store_, "data/").size(), 160u);
}

TEST_P(StoreConformanceTest, ConcurrentCreateOnlyHasOneWinner) {
  if (!store_->Capabilities().atomic_create_only) GTEST_SKIP() << "create-only is not atomic here";
  for (int round = 0; round < 10; ++round) {
    std::string name = "locks/race" + std::to_string(round);
    std::atomic<int> winners{0}, losers{0}, winner{-1};
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t) {
      threads.emplace_back([&, t] {
        auto st = store_->Put(name, Pattern(2000, static_cast<uint8_t>(t)), PutMode::kCreateOnly);
        if (st) {
          ++winners;
          winner = t;
        } else if (st.error().code() == Code::kAlreadyExists) {
          ++losers;
        } else {
          ADD_FAILURE() << st.error().message();
        }
      });
    }
    for (auto& t : threads) t.join();
    ASSERT_EQ(winners.load(), 1) << name;
    EXPECT_EQ(losers.load(), 5);
    EXPECT_EQ(*store_->Get(name), Pattern(2000, static_cast<uint8_t>(winner.load())));
  }
}

// store.h: replacing an object is atomic. One thread rewrites an object with
// two contents in turn; readers must always see one of them whole.
TEST_P(StoreConformanceTest, ReplaceIsAtomicForReaders) {
  constexpr size_t kSize = 4 << 20;
  const Bytes versions[2] = {Pattern(kSize, 1), Pattern(kSize, 2)};
  ASSERT_TRUE(store_->Put("index/current", versions[0]));
  std::atomic<bool> done{false};
  std::atomic<int> reads{0}, torn{0}, errors{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      while (!done) {
        auto got = store_->Get("index/current");
        if (!got) {
          ++errors;
          ADD_FAILURE() << got.error().message();
        } else if (*got != versions[0] && *got != versions[1]) {
          ++torn;
        }
        ++reads;
      }
    });
  }
  std::thread writer([&] {
    for (int i = 1; i <= 40; ++i) {
      auto st = store_->Put("index/current", versions[i % 2]);
      if (!st) ADD_FAILURE() << st.error().message();
    }
    // Keep readers going until each saw at least some rewrites.
    while (reads < 20) std::this_thread::yield();
    done = true;
  });
  writer.join();
  for (auto& r : readers) r.join();
  EXPECT_EQ(torn.load(), 0) << "of " << reads.load() << " reads";
  EXPECT_EQ(errors.load(), 0);
  EXPECT_GE(reads.load(), 20);
  EXPECT_EQ(*store_->Get("index/current"), versions[0]);  // the 40th put
}

TEST_P(StoreConformanceTest, ObjectAbove100MiB) {
  constexpr size_t kSize = (101u << 20) + 17;
  std::string name = "data/big/object";
  {
    Bytes data = Pattern(kSize, 42);
    ASSERT_TRUE(store_->Put(name, data));
    EXPECT_EQ(store_->Stat(name)->size, kSize);
    auto got = store_->Get(name);
    ASSERT_TRUE(got) << got.error().message();
    ASSERT_EQ(got->size(), kSize);
    EXPECT_TRUE(*got == data) << "101 MiB object came back different";  // no 101 MiB diff in the log
    got = store_->Get(name, kSize - 1000);
    ASSERT_TRUE(got);
    EXPECT_TRUE(std::equal(got->begin(), got->end(), data.end() - 1000));
    got = store_->Get(name, 100u << 20, 4096);
    ASSERT_TRUE(got);
    EXPECT_TRUE(std::equal(got->begin(), got->end(), data.begin() + (100u << 20)));
  }
  ASSERT_TRUE(store_->Remove(name));  // give the memory or disk back now
}

}  // namespace
}  // namespace arkiv::storage::testing
