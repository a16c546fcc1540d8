#include "storage/testing/conformance.h"

#include <stdlib.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "crypto/random.h"

namespace arkiv::storage::testing {

std::string MakeTempDir(const std::string& tag) {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string pattern = std::string(base ? base : "/tmp") + "/arkiv-" + tag + "-XXXXXX";
  char* made = ::mkdtemp(pattern.data());
  return made ? std::string(made) : std::string();
}

namespace {

Bytes Pattern(size_t n, uint8_t salt) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i * 31 + salt + (i >> 8));
  return b;
}

TEST_P(StoreConformanceTest, PutGetRoundTrip) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{4096}, size_t{3 << 20}}) {
    Bytes data = Pattern(size, 7);
    std::string name = "data/ab/obj" + std::to_string(size);
    ASSERT_TRUE(store_->Put(name, data));
    auto got = store_->Get(name);
    ASSERT_TRUE(got) << got.error().message();
    EXPECT_EQ(*got, data);
    auto info = store_->Stat(name);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->size, size);
  }
}

TEST_P(StoreConformanceTest, RangedGet) {
  Bytes data = Pattern(10000, 3);
  ASSERT_TRUE(store_->Put("r", data));
  auto got = store_->Get("r", 100, 50);
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, Bytes(data.begin() + 100, data.begin() + 150));
  auto tail = store_->Get("r", 9990);
  ASSERT_TRUE(tail);
  EXPECT_EQ(tail->size(), 10u);
  auto past = store_->Get("r", 9990, 11);
  ASSERT_FALSE(past);
  EXPECT_EQ(past.error().code(), Code::kInvalidArgument);
}

TEST_P(StoreConformanceTest, MissingObjectIsNotFound) {
  auto got = store_->Get("nope");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code(), Code::kNotFound);
  EXPECT_EQ(store_->Stat("nope").error().code(), Code::kNotFound);
  EXPECT_EQ(store_->Remove("nope").error().code(), Code::kNotFound);
}

TEST_P(StoreConformanceTest, CreateOnlyRefusesExisting) {
  ASSERT_TRUE(store_->Put("config", AsBytes("one"), PutMode::kCreateOnly));
  auto again = store_->Put("config", AsBytes("two"), PutMode::kCreateOnly);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), Code::kAlreadyExists);
  EXPECT_EQ(*store_->Get("config"), ToBytes("one"));
  ASSERT_TRUE(store_->Put("config", AsBytes("three"), PutMode::kReplace));
  EXPECT_EQ(*store_->Get("config"), ToBytes("three"));
}

TEST_P(StoreConformanceTest, ListByPrefixSeesEachObjectOnce) {
  std::set<std::string> expected;
  for (int i = 0; i < 1200; ++i) {
    std::string name = "index/" + std::to_string(i);
    expected.insert(name);
    ASSERT_TRUE(store_->Put(name, AsBytes("x")));
  }
  ASSERT_TRUE(store_->Put("indexed", AsBytes("y")));
  ASSERT_TRUE(store_->Put("snapshots/a", AsBytes("z")));
  std::multiset<std::string> seen;
  ASSERT_TRUE(store_->List("index/", [&](const ObjectInfo& info) {
    seen.insert(info.name);
    EXPECT_EQ(info.size, 1u);
    return OkStatus();
  }));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), expected);
  EXPECT_EQ(seen.size(), expected.size());
  size_t all = 0;
  ASSERT_TRUE(store_->List("", [&](const ObjectInfo&) {
    ++all;
    return OkStatus();
  }));
  EXPECT_EQ(all, 1202u);
}

TEST_P(StoreConformanceTest, RemoveDeletes) {
  ASSERT_TRUE(store_->Put("locks/x", AsBytes("l")));
  ASSERT_TRUE(store_->Remove("locks/x"));
  EXPECT_EQ(store_->Get("locks/x").error().code(), Code::kNotFound);
  bool listed = false;
  ASSERT_TRUE(store_->List("locks/", [&](const ObjectInfo&) {
    listed = true;
    return OkStatus();
  }));
  EXPECT_FALSE(listed);
}

TEST_P(StoreConformanceTest, BadNamesRejected) {
  for (const char* bad : {"", "/abs", "a/../b", "a//b", "trail/", "..", "a\\b"}) {
    auto st = store_->Put(bad, AsBytes("x"));
    ASSERT_FALSE(st) << bad;
    EXPECT_EQ(st.error().code(), Code::kInvalidArgument) << bad;
  }
}

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
}

}  // namespace
}  // namespace arkiv::storage::testing
