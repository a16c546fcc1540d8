#include "repo/tree_block_cache.h"

#include <gtest/gtest.h>

#include <vector>

#include "crypto/random.h"
#include "repo/blob_saver.h"
#include "repo/repo_test_util.h"
#include "repo/repository.h"
#include "storage/backends/memory_store.h"
#include "storage/wrappers/metrics_store.h"

namespace arkiv::repo {
namespace {

using arkiv::testing::FailedWith;
using arkiv::testing::kTestPassword;
using arkiv::testing::PseudoRandomBytes;
using arkiv::testing::TestInitOptions;

constexpr uint64_t kBlock = TreeBlockCache::kBlockBytes;

Bytes Counting(size_t n) {
  Bytes out(n);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(i * 7 + i / 251);
  return out;
}

TEST(TreeBlockCacheTest, FindsRangesAcrossHeldBlocksOfThatPackOnly) {
  TreeBlockCache cache;
  Id pack = crypto::RandomId();
  Bytes bytes = Counting(2 * kBlock + kBlock / 2);  // blocks 0, 1 and half of 2: a pack's end
  cache.Add(pack, 0, bytes);
  EXPECT_EQ(cache.bytes_held(), bytes.size());
  auto across = cache.Find(pack, kBlock - 10, 20);  // spans blocks 0 and 1
  ASSERT_TRUE(across.has_value());
  EXPECT_EQ(*across, Bytes(bytes.begin() + kBlock - 10, bytes.begin() + kBlock + 10));
  auto tail = cache.Find(pack, bytes.size() - 5, 5);
  ASSERT_TRUE(tail.has_value());
  EXPECT_EQ(*tail, Bytes(bytes.end() - 5, bytes.end()));
  EXPECT_FALSE(cache.Find(pack, bytes.size() - 5, 6).has_value());  // past the short last block
  EXPECT_FALSE(cache.Find(pack, 3 * kBlock, 1).has_value());         // a block never read
  EXPECT_FALSE(cache.Find(crypto::RandomId(), 0, 1).has_value());
  cache.Drop(pack, kBlock + 5, 1);  // block 1 only
  EXPECT_FALSE(cache.Find(pack, kBlock - 10, 20).has_value());
  EXPECT_TRUE(cache.Find(pack, 0, 10).has_value());
  EXPECT_TRUE(cache.Find(pack, 2 * kBlock, 10).has_value());
  EXPECT_EQ(cache.bytes_held(), bytes.size() - kBlock);
}

TEST(TreeBlockCacheTest, LeastRecentlyUsedBlocksGoFirstWhenFull) {
  TreeBlockCache cache(2 * kBlock);
  Id a = crypto::RandomId(), b = crypto::RandomId(), c = crypto::RandomId();
  cache.Add(a, 0, Counting(kBlock));
  cache.Add(b, 0, Counting(kBlock));
  ASSERT_TRUE(cache.Find(a, 0, 1).has_value());  // a is now the most recent
  cache.Add(c, 5 * kBlock, Counting(kBlock));    // three blocks > two: b goes
  EXPECT_TRUE(cache.Holds(a, 0));
  EXPECT_FALSE(cache.Holds(b, 0));
  EXPECT_TRUE(cache.Holds(c, 5));
  EXPECT_EQ(cache.bytes_held(), 2 * kBlock);
  cache.Add(a, 0, Counting(kBlock));  // again: replaces, not doubles
  EXPECT_EQ(cache.bytes_held(), 2 * kBlock);
}

// Trees saved through a BlobSaver into one pack, then read back through a
// freshly opened repository over a store that counts requests.
class RepositoryTreeBlocksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    memory_ = std::make_shared<storage::MemoryStore>();
    metrics_ = std::make_shared<storage::StoreMetrics>("test");
    auto counted = std::make_shared<storage::MetricsStore>(memory_, metrics_);
    auto options = TestInitOptions();
    options.pack_size = 8 << 20;  // one pack of a few blocks
    auto repo = Repository::Init(counted, kTestPassword, options);
    ASSERT_TRUE(repo.has_value()) << repo.error().ToString();
    {
      BlobSaver saver(**repo, {});
      for (uint64_t i = 0; i < kTrees; ++i) {
        // Incompressible, so that the pack holds what the test expects.
        trees_.push_back(PseudoRandomBytes(4096 + i, i));
        ids_.push_back((*repo)->BlobId(trees_.back()));
        ASSERT_TRUE(saver.Save(BlobType::kTree, ids_.back(), trees_.back()).has_value());
      }
      ASSERT_TRUE(saver.Flush().has_value());
    }
    auto opened = Repository::Open(counted, kTestPassword);
    ASSERT_TRUE(opened.has_value()) << opened.error().ToString();
    repo_ = std::move(*opened);
    ASSERT_TRUE(repo_->LoadIndex().has_value());
  }

  uint64_t Gets() const { return metrics_->Snapshot()[storage::Operation::kGet].requests; }
  uint64_t BytesDown() const { return metrics_->Snapshot()[storage::Operation::kGet].bytes_down; }
  uint64_t TreeBytes() const {
    uint64_t n = 0;
    for (const auto& tree : trees_) n += tree.size();
    return n;
  }

  static constexpr uint64_t kTrees = 1000;  // 4 MiB: one pack of five blocks
  std::shared_ptr<storage::MemoryStore> memory_;
  std::shared_ptr<storage::StoreMetrics> metrics_;
  std::unique_ptr<Repository> repo_;
  std::vector<Bytes> trees_;
  std::vector<Id> ids_;
};

TEST_F(RepositoryTreeBlocksTest, TreesReadLastToFirstCostARequestPerThreeBlocks) {
  uint64_t gets = Gets(), bytes = BytesDown();
  // Readers meet a directory before its subtrees, which were stored first.
  for (uint64_t i = kTrees; i-- > 0;) {
    auto plain = repo_->LoadBlob(ids_[i]);
    ASSERT_TRUE(plain.has_value()) << plain.error().ToString();
    EXPECT_EQ(*plain, trees_[i]) << "tree " << i;
  }
  EXPECT_LE(Gets() - gets, 2u);  // five blocks, three at a time
  // The pack once: no byte twice (its header and the seals of 1,000 blobs
  // are ~100 KiB).
  EXPECT_LE(BytesDown() - bytes, TreeBytes() + 256 * 1024);
}

TEST_F(RepositoryTreeBlocksTest, TreesReadFirstToLastCostARequestPerTwoBlocks) {
  uint64_t gets = Gets(), bytes = BytesDown();
  for (uint64_t i = 0; i < kTrees; ++i) {
    auto plain = repo_->LoadBlob(ids_[i]);
    ASSERT_TRUE(plain.has_value()) << plain.error().ToString();
    EXPECT_EQ(*plain, trees_[i]) << "tree " << i;
  }
  EXPECT_LE(Gets() - gets, 3u);  // a tree's block and the next, then from a spanning tree's block
  EXPECT_LE(BytesDown() - bytes, TreeBytes() + 256 * 1024);
}

TEST_F(RepositoryTreeBlocksTest, ADamagedTreeInHeldBlocksFailsAloneAndTheOthersStillOpen) {
  // Flip a byte inside tree 40 in the stored pack.
  auto location = repo_->index().Find(ids_[40]);
  ASSERT_TRUE(location.has_value());
  std::string name = PackName(BlobType::kTree, location->pack);
  auto pack = memory_->Get(name);
  ASSERT_TRUE(pack.has_value());
  (*pack)[location->entry.offset + location->entry.length / 2] ^= 0x01;
  ASSERT_TRUE(memory_->Put(name, *pack).has_value());

  auto near = repo_->LoadBlob(ids_[45]);  // reads the blocks holding tree 40
  ASSERT_TRUE(near.has_value()) << near.error().ToString();
  EXPECT_TRUE(FailedWith(repo_->LoadBlob(ids_[40]), Code::kDataLoss));
  for (uint64_t i : {uint64_t{0}, uint64_t{39}, uint64_t{41}, kTrees - 1}) {
    auto plain = repo_->LoadBlob(ids_[i]);
    ASSERT_TRUE(plain.has_value()) << "tree " << i << ": " << plain.error().ToString();
    EXPECT_EQ(*plain, trees_[i]);
  }
}

TEST_F(RepositoryTreeBlocksTest, DataBlobsAreNotReadInBlocks) {
  // A data blob saved after the trees, in a data pack of its own.
  Bytes data = PseudoRandomBytes(10000, 999);
  Id id = repo_->BlobId(data);
  {
    BlobSaver saver(*repo_, {});
    ASSERT_TRUE(saver.Save(BlobType::kData, id, data).has_value());
    ASSERT_TRUE(saver.Flush().has_value());
  }
  ASSERT_TRUE(repo_->LoadIndex().has_value());
  uint64_t before = Gets();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(repo_->LoadBlob(id).has_value());
  EXPECT_EQ(Gets() - before, 3u);
}

}  // namespace
}  // namespace arkiv::repo
