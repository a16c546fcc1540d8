// The basic contract: round trips, ranges, missing objects, create-only,
// remove. Names, listing and concurrency live in the other conformance_*.cc.
#include "storage/testing/conformance.h"

#include <stdlib.h>

#include <filesystem>
#include <mutex>
#include <vector>

namespace arkiv::storage::testing {
namespace {

// Deletes the directories MakeTempDir made when the program exits, so that
// repeated runs (and the 101 MiB object) do not fill /tmp.
class TempDirs {
 public:
  ~TempDirs() {
    std::lock_guard lock(mutex_);
    for (const auto& dir : dirs_) {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
  }
  void Add(std::string dir) {
    std::lock_guard lock(mutex_);
    dirs_.push_back(std::move(dir));
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> dirs_;
};

TempDirs& AllTempDirs() {
  static TempDirs dirs;
  return dirs;
}

}  // namespace

std::string MakeTempDir(const std::string& tag) {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string pattern = std::string(base ? base : "/tmp") + "/arkiv-" + tag + "-XXXXXX";
  char* made = ::mkdtemp(pattern.data());
  if (made == nullptr) return std::string();
  AllTempDirs().Add(made);
  return made;
}

Bytes Pattern(size_t n, uint8_t salt) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i * 31 + salt + (i >> 8) + (i >> 16) * 7);
  return b;
}

std::multiset<std::string> ListNames(Store& store, std::string_view prefix) {
  std::multiset<std::string> names;
  auto st = store.List(prefix, [&](const ObjectInfo& info) {
    names.insert(info.name);
    return OkStatus();
  });
  EXPECT_TRUE(st) << st.error().message();
  for (const auto& name : names) EXPECT_EQ(names.count(name), 1u) << "listed twice: " << name;
  return names;
}

namespace {

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
    EXPECT_EQ(info->name, name);
  }
}

TEST_P(StoreConformanceTest, StatAfterPutAndReplace) {
  ASSERT_TRUE(store_->Put("index/one", Pattern(1234, 1)));
  EXPECT_EQ(store_->Stat("index/one")->size, 1234u);
  ASSERT_TRUE(store_->Put("index/one", Pattern(77, 2)));
  auto info = store_->Stat("index/one");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->size, 77u);
  EXPECT_EQ(*store_->Get("index/one"), Pattern(77, 2));
  size_t listed = 0;
  ASSERT_TRUE(store_->List("index/", [&](const ObjectInfo& i) {
    EXPECT_EQ(i.size, 77u);
    ++listed;
    return OkStatus();
  }));
  EXPECT_EQ(listed, 1u);
}

TEST_P(StoreConformanceTest, RangedGet) {
  Bytes data = Pattern(10000, 3);
  ASSERT_TRUE(store_->Put("r", data));
  auto got = store_->Get("r", 100, 50);
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, Bytes(data.begin() + 100, data.begin() + 150));
  auto tail = store_->Get("r", 9990);
  ASSERT_TRUE(tail);
  EXPECT_EQ(*tail, Bytes(data.end() - 10, data.end()));
  auto whole = store_->Get("r", 0, 10000);
  ASSERT_TRUE(whole);
  EXPECT_EQ(*whole, data);
  auto past = store_->Get("r", 9990, 11);
  ASSERT_FALSE(past);
  EXPECT_EQ(CodeOf(past), Code::kInvalidArgument);
  // A length that overflows offset + length must not wrap around.
  auto huge = store_->Get("r", 10, Store::kToEnd - 5);
  ASSERT_FALSE(huge);
  EXPECT_EQ(CodeOf(huge), Code::kInvalidArgument);
}

// store.h: an empty range at offset == size is inside the object.
TEST_P(StoreConformanceTest, EmptyRangeAtTheEnd) {
  ASSERT_TRUE(store_->Put("r", Pattern(10, 3)));
  for (uint64_t length : {uint64_t{0}, Store::kToEnd}) {
    auto got = store_->Get("r", 10, length);
    ASSERT_TRUE(got) << got.error().message();
    EXPECT_TRUE(got->empty());
  }
  EXPECT_TRUE(store_->Get("r", 0, 0)->empty());
  EXPECT_TRUE(store_->Get("r", 5, 0)->empty());
  for (uint64_t length : {uint64_t{0}, uint64_t{1}, Store::kToEnd}) {
    auto past = store_->Get("r", 11, length);
    ASSERT_FALSE(past) << length;
    EXPECT_EQ(CodeOf(past), Code::kInvalidArgument);
  }

  ASSERT_TRUE(store_->Put("empty", ByteView()));
  EXPECT_TRUE(store_->Get("empty")->empty());
  EXPECT_TRUE(store_->Get("empty", 0, 0)->empty());
  EXPECT_EQ(CodeOf(store_->Get("empty", 0, 1)), Code::kInvalidArgument);
  EXPECT_EQ(CodeOf(store_->Get("empty", 1, 0)), Code::kInvalidArgument);
}

TEST_P(StoreConformanceTest, MissingObjectIsNotFound) {
  auto got = store_->Get("nope");
  ASSERT_FALSE(got);
  EXPECT_EQ(CodeOf(got), Code::kNotFound);
  EXPECT_EQ(CodeOf(store_->Get("nope", 0, 0)), Code::kNotFound);
  EXPECT_EQ(CodeOf(store_->Stat("nope")), Code::kNotFound);
  EXPECT_EQ(CodeOf(store_->Remove("nope")), Code::kNotFound);
  EXPECT_EQ(CodeOf(store_->Get("no/such/dir/x")), Code::kNotFound);
}

// "data" is a prefix of objects here, not an object itself.
TEST_P(StoreConformanceTest, PrefixOfObjectsIsNotAnObject) {
  ASSERT_TRUE(store_->Put("data/ab/x", AsBytes("x")));
  for (std::string_view name : {"data", "data/ab"}) {
    EXPECT_EQ(CodeOf(store_->Get(name)), Code::kNotFound) << name;
    EXPECT_EQ(CodeOf(store_->Stat(name)), Code::kNotFound) << name;
    EXPECT_EQ(CodeOf(store_->Remove(name)), Code::kNotFound) << name;
  }
  EXPECT_EQ(*store_->Get("data/ab/x"), ToBytes("x"));
}

TEST_P(StoreConformanceTest, CreateOnlyRefusesExisting) {
  ASSERT_TRUE(store_->Put("config", AsBytes("one"), PutMode::kCreateOnly));
  auto again = store_->Put("config", AsBytes("two"), PutMode::kCreateOnly);
  ASSERT_FALSE(again);
  EXPECT_EQ(CodeOf(again), Code::kAlreadyExists);
  EXPECT_EQ(*store_->Get("config"), ToBytes("one"));
  ASSERT_TRUE(store_->Put("config", AsBytes("three"), PutMode::kReplace));
  EXPECT_EQ(*store_->Get("config"), ToBytes("three"));
}

TEST_P(StoreConformanceTest, RemoveDeletes) {
  ASSERT_TRUE(store_->Put("locks/x", AsBytes("l")));
  ASSERT_TRUE(store_->Put("locks/y", AsBytes("m")));
  ASSERT_TRUE(store_->Remove("locks/x"));
  EXPECT_EQ(CodeOf(store_->Get("locks/x")), Code::kNotFound);
  EXPECT_EQ(CodeOf(store_->Stat("locks/x")), Code::kNotFound);
  EXPECT_EQ(CodeOf(store_->Remove("locks/x")), Code::kNotFound);
  EXPECT_EQ(ListNames(*store_, "locks/"), std::multiset<std::string>{"locks/y"});
  EXPECT_EQ(*store_->Get("locks/y"), ToBytes("m"));
}

TEST_P(StoreConformanceTest, RemoveThenPutAgain) {
  ASSERT_TRUE(store_->Put("snapshots/s1", Pattern(5000, 1)));
  ASSERT_TRUE(store_->Remove("snapshots/s1"));
  // Removed means gone, also for create-only.
  ASSERT_TRUE(store_->Put("snapshots/s1", Pattern(300, 2), PutMode::kCreateOnly));
  EXPECT_EQ(*store_->Get("snapshots/s1"), Pattern(300, 2));
  EXPECT_EQ(store_->Stat("snapshots/s1")->size, 300u);
  EXPECT_EQ(ListNames(*store_, "snapshots/"), std::multiset<std::string>{"snapshots/s1"});
}

// Once its last object is removed, a former prefix is free to be a name.
TEST_P(StoreConformanceTest, NameOfAnEmptiedPrefixCanBeUsed) {
  ASSERT_TRUE(store_->Put("tmp/a/b", AsBytes("deep")));
  ASSERT_TRUE(store_->Remove("tmp/a/b"));
  ASSERT_TRUE(store_->Put("tmp/a", AsBytes("flat")));
  EXPECT_EQ(*store_->Get("tmp/a"), ToBytes("flat"));
  ASSERT_TRUE(store_->Remove("tmp/a"));
  ASSERT_TRUE(store_->Put("tmp/c/d", AsBytes("x")));
  ASSERT_TRUE(store_->Remove("tmp/c/d"));
  ASSERT_TRUE(store_->Put("tmp/c", AsBytes("y"), PutMode::kCreateOnly));
  EXPECT_EQ(ListNames(*store_, "tmp/"), std::multiset<std::string>{"tmp/c"});
}

}  // namespace
}  // namespace arkiv::storage::testing
