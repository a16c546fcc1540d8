#include "repo/index.h"

#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "crypto/random.h"
#include "repo/repo_test_util.h"

namespace arkiv::repo {
namespace {

IndexedPack MakePack(std::vector<Id> blob_ids, BlobType type = BlobType::kData) {
  IndexedPack pack;
  pack.id = crypto::RandomId();
  uint32_t offset = 0;
  for (const Id& id : blob_ids) {
    BlobEntry e;
    e.id = id;
    e.type = type;
    e.offset = offset;
    e.length = 100;
    e.raw_length = 72;
    offset += e.length;
    pack.blobs.push_back(e);
  }
  pack.size = offset + 100;
  return pack;
}

std::map<Id, std::vector<BlobEntry>> Listed(const Index& index) {
  std::map<Id, std::vector<BlobEntry>> out;
  index.ForEachPack([&](const IndexedPack& pack) { out[pack.id] = pack.blobs; });
  return out;
}

TEST(IndexTest, FindsEveryBlobOfEveryPack) {
  Index index;
  Id a = crypto::RandomId(), b = crypto::RandomId(), c = crypto::RandomId();
  IndexedPack p1 = MakePack({a, b}), p2 = MakePack({c}, BlobType::kTree);
  index.AddPack(p1);
  index.AddPack(p2);
  EXPECT_EQ(index.PackCount(), 2u);
  EXPECT_EQ(index.BlobCount(), 3u);
  EXPECT_TRUE(index.Has(a));
  EXPECT_FALSE(index.Has(crypto::RandomId()));
  auto where = index.Find(b);
  ASSERT_TRUE(where.has_value());
  EXPECT_EQ(where->pack, p1.id);
  EXPECT_EQ(where->pack_size, p1.size);
  EXPECT_EQ(where->entry.offset, 100u);
  EXPECT_EQ(index.Find(c)->entry.type, BlobType::kTree);
  EXPECT_EQ(index.PackSize(p2.id), p2.size);
  EXPECT_FALSE(index.PackSize(crypto::RandomId()).has_value());

  auto listed = Listed(index);
  ASSERT_EQ(listed.size(), 2u);
  ASSERT_EQ(listed[p1.id].size(), 2u);
  EXPECT_EQ(listed[p1.id][0].id, a);  // in pack order
  EXPECT_EQ(listed[p1.id][1].id, b);
}

// Two backups racing (or two hosts backing up the same empty directory) can
// store one blob in two packs. Lookups use one copy; listing a pack must
// still show all of its blobs, or check and prune misjudge the pack.
TEST(IndexTest, BlobInTwoPacksIsListedInBoth) {
  Index index;
  Id shared = crypto::RandomId(), own = crypto::RandomId();
  IndexedPack first = MakePack({shared}, BlobType::kTree);
  IndexedPack second = MakePack({own, shared}, BlobType::kTree);
  IndexedPack only_duplicate = MakePack({shared}, BlobType::kTree);
  index.AddPack(first);
  index.AddPack(second);
  index.AddPack(only_duplicate);
  EXPECT_EQ(index.BlobCount(), 2u);
  EXPECT_EQ(index.Find(shared)->pack, first.id);

  auto listed = Listed(index);
  ASSERT_EQ(listed.size(), 3u);
  ASSERT_EQ(listed[second.id].size(), 2u);
  EXPECT_EQ(listed[second.id][0].id, own);
  EXPECT_EQ(listed[second.id][1].id, shared);
  ASSERT_EQ(listed[only_duplicate.id].size(), 1u);
  EXPECT_EQ(listed[only_duplicate.id][0].type, BlobType::kTree);

  // Prune rewrites index files from this listing; index files store no
  // offsets, so a blob left out would shift every later blob of its pack.
  IndexFile rewritten;
  index.ForEachPack([&](const IndexedPack& pack) { rewritten.packs.push_back(pack); });
  auto parsed = IndexFile::Parse(rewritten.Serialize());
  ASSERT_TRUE(parsed.has_value()) << parsed.error().ToString();
  for (const auto& pack : parsed->packs) {
    const IndexedPack& original = pack.id == first.id ? first : pack.id == second.id ? second : only_duplicate;
    ASSERT_EQ(pack.blobs.size(), original.blobs.size());
    for (size_t i = 0; i < pack.blobs.size(); ++i) {
      EXPECT_EQ(pack.blobs[i].id, original.blobs[i].id);
      EXPECT_EQ(pack.blobs[i].offset, original.blobs[i].offset);
    }
  }
}

TEST(IndexTest, SamePackAddedTwiceCountsOnce) {
  Index index;
  IndexedPack pack = MakePack({crypto::RandomId(), crypto::RandomId()});
  index.AddPack(pack);
  index.AddPack(pack);
  EXPECT_EQ(index.PackCount(), 1u);
  EXPECT_EQ(Listed(index)[pack.id].size(), 2u);
}

TEST(IndexTest, ConcurrentAddsAndLookups) {
  Index index;
  std::vector<IndexedPack> packs;
  for (int i = 0; i < 200; ++i) packs.push_back(MakePack({crypto::RandomId(), crypto::RandomId()}));
  std::thread writer([&] {
    for (const auto& p : packs) index.AddPack(p);
  });
  std::thread reader([&] {
    for (int round = 0; round < 200; ++round) {
      for (const auto& p : packs) {
        auto where = index.Find(p.blobs[1].id);
        if (where) {
          EXPECT_EQ(where->pack, p.id);
        }
      }
    }
  });
  writer.join();
  reader.join();
  EXPECT_EQ(index.BlobCount(), 400u);
}

}  // namespace
}  // namespace arkiv::repo
