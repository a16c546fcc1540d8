// Object names: which are refused, and that unusual valid ones work.
#include "storage/testing/conformance.h"

namespace arkiv::storage::testing {
namespace {

TEST_P(StoreConformanceTest, BadNamesRejected) {
  const std::string_view bad_names[] = {
      "", "/abs", "a/../b", "a//b", "trail/", "..", ".", "a/./b", "a\\b", "tab\there", "nl\nx",
      std::string_view("nul\0x", 5), "del\x7f",
      "\xff",             // not UTF-8
      "caf\xc3",          // truncated sequence
      "\xc0\xaf",         // overlong '/'
      "\xed\xa0\x80",     // a UTF-16 surrogate
      "\xf4\x90\x80\x80", // above U+10FFFF
      ".arkiv-tmp-1",     // reserved for stores' temporary files
      "data/.arkiv-x/y",
  };
  for (std::string_view bad : bad_names) {
    auto st = store_->Put(bad, AsBytes("x"));
    ASSERT_FALSE(st) << bad;
    EXPECT_EQ(CodeOf(st), Code::kInvalidArgument) << bad;
    EXPECT_EQ(CodeOf(store_->Get(bad)), Code::kInvalidArgument) << bad;
    EXPECT_EQ(CodeOf(store_->Stat(bad)), Code::kInvalidArgument) << bad;
    EXPECT_EQ(CodeOf(store_->Remove(bad)), Code::kInvalidArgument) << bad;
  }
  EXPECT_TRUE(ListNames(*store_, "").empty());
}

TEST_P(StoreConformanceTest, NameLengthLimits) {
  std::string part255(255, 'p');
  std::string part256(256, 'p');
  EXPECT_EQ(CodeOf(store_->Put("x/" + part256, AsBytes("x"))), Code::kInvalidArgument);
  // 4 parts of 255 plus 3 slashes: 1023 bytes, inside the limit.
  std::string longest = part255 + "/" + part255 + "/" + part255 + "/" + part255;
  ASSERT_TRUE(store_->Put(longest, AsBytes("ok"))) << longest.size();
  EXPECT_EQ(*store_->Get(longest), ToBytes("ok"));
  EXPECT_EQ(CodeOf(store_->Put(longest + "xy", AsBytes("x"))), Code::kInvalidArgument);
}

TEST_P(StoreConformanceTest, LongNestedNames) {
  std::string base = "snapshots/" + std::string(210, 'a') + "/" + std::string(200, 'b') + "/";
  std::vector<std::string> names;
  for (int i = 0; i < 3; ++i) names.push_back(base + std::string(220, static_cast<char>('c' + i)));
  for (size_t i = 0; i < names.size(); ++i) ASSERT_TRUE(store_->Put(names[i], Pattern(100 + i, 5)));
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(*store_->Get(names[i]), Pattern(100 + i, 5));
    EXPECT_EQ(store_->Stat(names[i])->size, 100 + i);
  }
  EXPECT_EQ(ListNames(*store_, base), std::multiset<std::string>(names.begin(), names.end()));
  EXPECT_EQ(ListNames(*store_, "snapshots/aaa"), std::multiset<std::string>(names.begin(), names.end()));
  ASSERT_TRUE(store_->Remove(names[1]));
  EXPECT_EQ(ListNames(*store_, base).size(), 2u);
}

TEST_P(StoreConformanceTest, UnicodeNames) {
  const std::string names[] = {
      "snapshots/café",                                    // 2-byte sequence
      "snapshots/日本語/ファイル",                         // 3-byte sequences, nested
      "snapshots/emoji-\xf0\x9f\x98\x80",                  // 4-byte sequence
      "snapshots/cafe\xcc\x81",                            // "café" decomposed: another name
      "snapshots/space and 'quotes' and \"more\" & ? # %", // printable ASCII oddities
  };
  for (size_t i = 0; i < std::size(names); ++i) {
    ASSERT_TRUE(store_->Put(names[i], Pattern(10 + i, 9))) << names[i];
  }
  for (size_t i = 0; i < std::size(names); ++i) {
    auto got = store_->Get(names[i]);
    ASSERT_TRUE(got) << names[i] << ": " << got.error().message();
    EXPECT_EQ(*got, Pattern(10 + i, 9)) << names[i];
    EXPECT_EQ(store_->Stat(names[i])->name, names[i]);
  }
  EXPECT_EQ(ListNames(*store_, "snapshots/"), std::multiset<std::string>(std::begin(names), std::end(names)));
  EXPECT_EQ(ListNames(*store_, "snapshots/日本"),
            std::multiset<std::string>{"snapshots/日本語/ファイル"});
  EXPECT_EQ(ListNames(*store_, "snapshots/caf"),
            (std::multiset<std::string>{"snapshots/café", "snapshots/cafe\xcc\x81"}));
}

}  // namespace
}  // namespace arkiv::storage::testing
