#include "engine/read_data_subset.h"

#include <gtest/gtest.h>

#include <set>

#include "crypto/sha256.h"

namespace arkiv::engine {
namespace {

std::vector<ReadDataSubset::Pack> SomePacks(size_t count) {
  std::vector<ReadDataSubset::Pack> packs;
  for (size_t i = 0; i < count; ++i) {
    std::string seed = "pack " + std::to_string(i);
    packs.push_back({crypto::Sha256(ByteView(reinterpret_cast<const uint8_t*>(seed.data()), seed.size())),
                     1000 + (i * 7919) % 5000});
  }
  return packs;
}

ReadDataSubset Parsed(std::string_view text) {
  auto subset = ReadDataSubset::Parse(text);
  EXPECT_TRUE(subset.has_value()) << text << ": " << subset.error().ToString();
  return subset.value_or(ReadDataSubset());
}

TEST(ReadDataSubsetTest, ParsesTheThreeFormsAndNamesThemBack) {
  EXPECT_EQ(Parsed("3/10").kind(), ReadDataSubset::Kind::kSlice);
  EXPECT_EQ(Parsed("3/10").ToString(), "3/10");
  EXPECT_EQ(Parsed("2.5%").kind(), ReadDataSubset::Kind::kPercent);
  EXPECT_EQ(Parsed("2.5%").ToString(), "2.5%");
  EXPECT_EQ(Parsed("500MiB").kind(), ReadDataSubset::Kind::kBytes);
  EXPECT_EQ(Parsed("1G").ToString(), "1073741824 bytes");
  EXPECT_EQ(ReadDataSubset().ToString(), "all");
}

TEST(ReadDataSubsetTest, RefusesWhatIsNotASubsetWithOneLineSayingTheForms) {
  for (const char* bad : {"", "0/3", "4/3", "1/0", "x/3", "1/3/4", "-1/3", "0%", "101%", "abc%", "%", "nan%", "0",
                          "12 parsecs", "1/ 3"}) {
    auto subset = ReadDataSubset::Parse(bad);
    ASSERT_FALSE(subset.has_value()) << "accepted '" << bad << "'";
    EXPECT_EQ(subset.error().code(), Code::kInvalidArgument);
    EXPECT_NE(subset.error().message().find("n/m"), std::string::npos) << subset.error().message();
    EXPECT_EQ(subset.error().message().find('\n'), std::string::npos);
  }
}

TEST(ReadDataSubsetTest, SlicesPartitionThePacksEvenly) {
  auto packs = SomePacks(2000);
  std::mt19937_64 random(1);
  std::set<size_t> seen;
  for (int n = 1; n <= 7; ++n) {
    auto chosen = Parsed(std::to_string(n) + "/7").Select(packs, random);
    // SHA-256 ids spread evenly: each slice holds 2000/7 ≈ 286, well within ±40%.
    EXPECT_GT(chosen.size(), 170u) << n;
    EXPECT_LT(chosen.size(), 400u) << n;
    for (size_t i : chosen) EXPECT_TRUE(seen.insert(i).second) << "pack " << i << " in two slices";
  }
  EXPECT_EQ(seen.size(), packs.size());
}

TEST(ReadDataSubsetTest, APacksSliceDoesNotDependOnTheOtherPacks) {
  auto packs = SomePacks(300);
  std::mt19937_64 random(1);
  auto before = Parsed("2/5").Select(packs, random);
  auto more = SomePacks(600);  // the first 300 are the same packs
  auto after = Parsed("2/5").Select(more, random);
  std::vector<size_t> after_old;
  for (size_t i : after) {
    if (i < 300) after_old.push_back(i);
  }
  EXPECT_EQ(before, after_old);
}

TEST(ReadDataSubsetTest, PercentChoosesThatShareAtRandomAndAtLeastOne) {
  auto packs = SomePacks(1000);
  std::mt19937_64 first(1);
  std::mt19937_64 second(2);
  auto a = Parsed("10%").Select(packs, first);
  auto b = Parsed("10%").Select(packs, second);
  EXPECT_EQ(a.size(), 100u);
  EXPECT_EQ(b.size(), 100u);
  EXPECT_NE(a, b);
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
  EXPECT_EQ(std::set<size_t>(a.begin(), a.end()).size(), a.size());
  EXPECT_EQ(Parsed("0.001%").Select(packs, first).size(), 1u);
  EXPECT_EQ(Parsed("100%").Select(packs, first).size(), packs.size());
  EXPECT_TRUE(Parsed("50%").Select({}, first).empty());
}

TEST(ReadDataSubsetTest, SizeFillsUpToTheLimitAndNoFurther) {
  auto packs = SomePacks(500);
  std::mt19937_64 random(3);
  const uint64_t limit = 100000;
  auto chosen = Parsed(std::to_string(limit)).Select(packs, random);
  uint64_t total = 0;
  std::set<size_t> taken(chosen.begin(), chosen.end());
  for (size_t i : chosen) total += packs[i].size;
  EXPECT_LE(total, limit);
  // Nothing left out would still have fitted.
  for (size_t i = 0; i < packs.size(); ++i) {
    if (!taken.contains(i)) {
      EXPECT_GT(total + packs[i].size, limit) << i;
    }
  }
}

}  // namespace
}  // namespace arkiv::engine
