// Listing: prefixes compared byte by byte, each object exactly once.
#include "storage/testing/conformance.h"

namespace arkiv::storage::testing {
namespace {

using Names = std::multiset<std::string>;

TEST_P(StoreConformanceTest, ListByPrefixSeesEachObjectOnce) {
  Names expected;
  for (int i = 0; i < 1200; ++i) {
    std::string name = "index/" + std::to_string(i);
    expected.insert(name);
    ASSERT_TRUE(store_->Put(name, AsBytes("x")));
  }
  ASSERT_TRUE(store_->Put("indexed", AsBytes("y")));
  ASSERT_TRUE(store_->Put("snapshots/a", AsBytes("z")));
  size_t calls = 0;
  ASSERT_TRUE(store_->List("index/", [&](const ObjectInfo& info) {
    ++calls;
    EXPECT_EQ(info.size, 1u);
    return OkStatus();
  }));
  EXPECT_EQ(calls, expected.size());
  EXPECT_EQ(ListNames(*store_, "index/"), expected);
  EXPECT_EQ(ListNames(*store_, "").size(), 1202u);
}

// A prefix need not end at a '/': "data/a" covers "data/a1" and "data/ab/x".
TEST_P(StoreConformanceTest, ListPrefixInsideAPart) {
  for (std::string_view name : {"data/a", "data/a1", "data/ab/x", "data/ab/y/z", "data/b", "data/A1", "datab", "dat"}) {
    ASSERT_TRUE(store_->Put(name, AsBytes(name)));
  }
  EXPECT_EQ(ListNames(*store_, "data/a"), (Names{"data/a", "data/a1", "data/ab/x", "data/ab/y/z"}));
  EXPECT_EQ(ListNames(*store_, "data/ab"), (Names{"data/ab/x", "data/ab/y/z"}));
  EXPECT_EQ(ListNames(*store_, "data/ab/"), (Names{"data/ab/x", "data/ab/y/z"}));
  EXPECT_EQ(ListNames(*store_, "data/ab/y"), (Names{"data/ab/y/z"}));
  EXPECT_EQ(ListNames(*store_, "data/ab/x"), (Names{"data/ab/x"}));
  EXPECT_EQ(ListNames(*store_, "data"),
            (Names{"data/a", "data/a1", "data/ab/x", "data/ab/y/z", "data/b", "data/A1", "datab"}));
  EXPECT_EQ(ListNames(*store_, "dat").size(), 8u);
  EXPECT_TRUE(ListNames(*store_, "data/ab/xy").empty());
  EXPECT_TRUE(ListNames(*store_, "data/a1/").empty());  // an object, not a directory
  EXPECT_TRUE(ListNames(*store_, "data/c").empty());
  EXPECT_TRUE(ListNames(*store_, "zzz/").empty());
}

TEST_P(StoreConformanceTest, ListReportsSizes) {
  ASSERT_TRUE(store_->Put("packs/small", Pattern(3, 1)));
  ASSERT_TRUE(store_->Put("packs/big", Pattern(70000, 1)));
  ASSERT_TRUE(store_->Put("packs/empty", ByteView()));
  std::map<std::string, uint64_t> sizes;
  ASSERT_TRUE(store_->List("packs/", [&](const ObjectInfo& info) {
    sizes[info.name] = info.size;
    return OkStatus();
  }));
  EXPECT_EQ(sizes, (std::map<std::string, uint64_t>{{"packs/big", 70000}, {"packs/empty", 0}, {"packs/small", 3}}));
}

TEST_P(StoreConformanceTest, ListStopsAtTheCallbacksError) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(store_->Put("keys/" + std::to_string(i), AsBytes("k")));
  int calls = 0;
  auto st = store_->List("keys/", [&](const ObjectInfo&) -> Status {
    ++calls;
    return Fail(Code::kCancelled, "enough");
  });
  ASSERT_FALSE(st);
  EXPECT_EQ(CodeOf(st), Code::kCancelled);
  EXPECT_EQ(calls, 1);
}

// No valid name starts with these, and a store must not look outside itself.
TEST_P(StoreConformanceTest, ListWithImpossiblePrefixListsNothing) {
  ASSERT_TRUE(store_->Put("data/x", AsBytes("x")));
  for (std::string_view prefix : {"/", "/etc/", "/etc/host", "../", "../../../../etc/host", "data/../data/",
                                  "data//", "./data/", "\\"}) {
    EXPECT_TRUE(ListNames(*store_, prefix).empty()) << prefix;
  }
}

TEST_P(StoreConformanceTest, ListOfAnEmptyStoreCallsNothing) {
  EXPECT_TRUE(ListNames(*store_, "").empty());
  EXPECT_TRUE(ListNames(*store_, "data/").empty());
}

}  // namespace
}  // namespace arkiv::storage::testing
