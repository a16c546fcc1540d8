// The repository figures `arkiv plan` works from: what a restore of a
// snapshot reads (RestoreSizeOf) and what a store holds (CloudUsageOf).
#include <gtest/gtest.h>

#include "engine/cloud_usage.h"
#include "engine/engine_test_util.h"
#include "engine/restore_size.h"
#include "storage/backends/memory_store.h"

namespace arkiv::engine {
namespace {

using arkiv::testing::MakeDir;
using arkiv::testing::PseudoRandomBytes;
using arkiv::testing::TempDir;
using arkiv::testing::WriteFile;

TEST(RestoreSizeTest, CountsEveryDistinctBlobOnceAtItsStoredSize) {
  auto store = std::make_shared<storage::MemoryStore>();
  ASSERT_NE(arkiv::testing::InitRepository(store), nullptr);
  TempDir source;
  std::string root = source / "d";
  MakeDir(root);
  MakeDir(root + "/sub");
  Bytes big = PseudoRandomBytes(3 << 20, 7);
  WriteFile(root + "/big", big);
  WriteFile(root + "/sub/copy", big);  // the same content: read once
  WriteFile(root + "/small", PseudoRandomBytes(1000, 8));
  auto backup = arkiv::testing::Backup(store, arkiv::testing::BackupOf({root}));
  ASSERT_TRUE(backup.has_value()) << backup.error().ToString();

  auto repo = arkiv::testing::OpenRepository(store);
  ASSERT_NE(repo, nullptr);
  auto size = RestoreSizeOf(*repo, backup->snapshot.tree);
  ASSERT_TRUE(size.has_value()) << size.error().ToString();
  // The repository holds this one snapshot: exactly the blobs of the index.
  uint64_t indexed_bytes = 0;
  repo->index().ForEachPack([&](const repo::IndexedPack& pack) {
    for (const auto& blob : pack.blobs) indexed_bytes += blob.length;
  });
  EXPECT_EQ(size->blobs, repo->index().BlobCount());
  EXPECT_EQ(size->bytes, indexed_bytes);
  // Random bytes do not compress: the big file is counted once, sealed.
  EXPECT_GT(size->bytes, big.size());
  EXPECT_LT(size->bytes, big.size() + 64 * 1024);
}

TEST(RestoreSizeTest, ASmallerSnapshotReadsLess) {
  auto store = std::make_shared<storage::MemoryStore>();
  ASSERT_NE(arkiv::testing::InitRepository(store), nullptr);
  TempDir source;
  std::string root = source / "d";
  MakeDir(root);
  WriteFile(root + "/a", PseudoRandomBytes(2 << 20, 1));
  WriteFile(root + "/b", PseudoRandomBytes(1 << 20, 2));
  auto first = arkiv::testing::Backup(store, arkiv::testing::BackupOf({root}));
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(::unlink((root + "/a").c_str()), 0);
  auto second = arkiv::testing::Backup(store, arkiv::testing::BackupOf({root}));
  ASSERT_TRUE(second.has_value());
  auto repo = arkiv::testing::OpenRepository(store);
  auto before = RestoreSizeOf(*repo, first->snapshot.tree);
  auto after = RestoreSizeOf(*repo, second->snapshot.tree);
  ASSERT_TRUE(before.has_value() && after.has_value());
  EXPECT_GT(before->bytes, after->bytes + (2 << 20) - 4096);
  EXPECT_LT(after->bytes, (1 << 20) + 64 * 1024);
}

TEST(CloudUsageTest, SplitsDataFromTheRestAndKeepsTheLargestData) {
  storage::MemoryStore store;
  ASSERT_TRUE(store.Put("data/aa/small", Bytes(100, 1)).has_value());
  ASSERT_TRUE(store.Put("data/bb/large.ec2+1.0.600", Bytes(300, 2)).has_value());
  ASSERT_TRUE(store.Put("data/cc/medium", Bytes(200, 2)).has_value());
  ASSERT_TRUE(store.Put("index/ab", Bytes(50, 3)).has_value());
  ASSERT_TRUE(store.Put("tree/ab/cd", Bytes(20, 4)).has_value());
  ASSERT_TRUE(store.Put("locks/xy", Bytes(10, 5)).has_value());
  auto usage = CloudUsageOf(store, 2);
  ASSERT_TRUE(usage.has_value()) << usage.error().ToString();
  EXPECT_EQ(usage->data_bytes, 600u);
  EXPECT_EQ(usage->data_objects, 3u);
  EXPECT_EQ(usage->other_bytes, 70u);  // locks left out
  EXPECT_EQ(usage->largest_data, (std::vector<std::string>{"data/bb/large.ec2+1.0.600", "data/cc/medium"}));
}

}  // namespace
}  // namespace arkiv::engine
