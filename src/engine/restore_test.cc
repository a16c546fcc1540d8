#include "engine/restore.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine_test_util.h"
#include "engine/tree_walker.h"
#include "storage/backends/memory_store.h"

namespace arkiv::engine {
namespace {

using arkiv::testing::CompareTrees;
using arkiv::testing::FailedWith;
using arkiv::testing::ListDir;
using arkiv::testing::MakeDir;
using arkiv::testing::PseudoRandomBytes;
using arkiv::testing::ReadFile;
using arkiv::testing::TempDir;
using arkiv::testing::WriteFile;

class RestoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_shared<storage::MemoryStore>();
    ASSERT_NE(arkiv::testing::InitRepository(store_), nullptr);
    root_ = source_ / "data";
    MakeDir(root_);
    MakeDir(root_ + "/docs");
    MakeDir(root_ + "/docs/old");
    MakeDir(root_ + "/docs2");
    MakeDir(root_ + "/media");
    WriteFile(root_ + "/docs/a.txt", ToBytes("a"));
    WriteFile(root_ + "/docs/old/b.txt", ToBytes("b"));
    WriteFile(root_ + "/docs2/c.txt", ToBytes("c"));
    WriteFile(root_ + "/media/big.bin", PseudoRandomBytes(300000, 1));
    WriteFile(root_ + "/top.txt", ToBytes("top"));
    auto backup = arkiv::testing::Backup(store_, arkiv::testing::BackupOf({root_}));
    ASSERT_TRUE(backup.has_value()) << backup.error().ToString();
    snapshot_ = backup->snapshot_id;
  }

  Result<RestoreResult> Restore(const std::string& target, std::vector<std::string> includes = {}) {
    return arkiv::testing::Restore(store_, snapshot_, target, std::move(includes));
  }

  TempDir source_, target_;
  std::string root_;
  Id snapshot_;
  std::shared_ptr<storage::MemoryStore> store_;
};

TEST_F(RestoreTest, IncludeRestoresOnlyTheSelectedSubtree) {
  ASSERT_OK_AND_ASSIGN(RestoreResult result, Restore(target_.path(), {"data/docs"}));
  EXPECT_TRUE(result.errors.empty());
  EXPECT_EQ(result.files, 2u);
  EXPECT_EQ(ListDir(target_.path()), std::vector<std::string>{"data"});
  // "docs2" shares the prefix "docs" but is not below it.
  EXPECT_EQ(ListDir(target_ / "data"), std::vector<std::string>{"docs"});
  EXPECT_EQ(CompareTrees(root_ + "/docs", target_ / "data/docs"), std::vector<std::string>{});
}

TEST_F(RestoreTest, IncludeOfASingleFileAndOfSeveralPaths) {
  ASSERT_OK_AND_ASSIGN(RestoreResult one, Restore(target_ / "one", {"data/docs/old/b.txt"}));
  EXPECT_EQ(one.files, 1u);
  EXPECT_EQ(ListDir(target_ / "one/data"), std::vector<std::string>{"docs"});
  EXPECT_EQ(ListDir(target_ / "one/data/docs"), std::vector<std::string>{"old"});
  EXPECT_EQ(ReadFile(target_ / "one/data/docs/old/b.txt"), ToBytes("b"));

  ASSERT_OK_AND_ASSIGN(RestoreResult two, Restore(target_ / "two", {"data/top.txt", "data/media"}));
  EXPECT_EQ(two.files, 2u);
  EXPECT_EQ(ListDir(target_ / "two/data"), (std::vector<std::string>{"media", "top.txt"}));
  EXPECT_EQ(ReadFile(target_ / "two/data/media/big.bin"), PseudoRandomBytes(300000, 1));

  ASSERT_OK_AND_ASSIGN(RestoreResult none, Restore(target_ / "none", {"data/nonexistent"}));
  EXPECT_EQ(none.files, 0u);
}

TEST_F(RestoreTest, ExistingFilesInTheWayAreReplaced) {
  MakeDir(target_ / "data");
  MakeDir(target_ / "data/docs");
  WriteFile(target_ / "data/top.txt", ToBytes("stale content that is longer"));
  ASSERT_OK_AND_ASSIGN(RestoreResult result, Restore(target_.path()));
  EXPECT_TRUE(result.errors.empty());
  EXPECT_EQ(CompareTrees(root_, target_ / "data"), std::vector<std::string>{});
}

// A symlink planted where the snapshot has a directory must not lead the
// restore out of the target.
TEST_F(RestoreTest, RefusesToWriteThroughASymlinkedDirectory) {
  TempDir elsewhere;
  ASSERT_EQ(::symlink(elsewhere.path().c_str(), (target_ / "data").c_str()), 0);
  auto result = Restore(target_.path());
  EXPECT_TRUE(FailedWith(result, Code::kFailedPrecondition));
  EXPECT_TRUE(ListDir(elsewhere.path()).empty());
}

TEST_F(RestoreTest, RefusesToWriteThroughANestedSymlinkedDirectory) {
  TempDir elsewhere;
  MakeDir(target_ / "data");
  ASSERT_EQ(::symlink(elsewhere.path().c_str(), (target_ / "data/docs").c_str()), 0);
  auto result = Restore(target_.path());
  EXPECT_FALSE(result.has_value() && result->errors.empty());
  EXPECT_TRUE(ListDir(elsewhere.path()).empty());
}

TEST_F(RestoreTest, ReplacesASymlinkWhereAFileBelongsWithoutFollowingIt) {
  TempDir elsewhere;
  WriteFile(elsewhere / "victim", ToBytes("must stay"));
  MakeDir(target_ / "data");
  ASSERT_EQ(::symlink((elsewhere / "victim").c_str(), (target_ / "data/top.txt").c_str()), 0);
  ASSERT_OK_AND_ASSIGN(RestoreResult result, Restore(target_.path()));
  EXPECT_TRUE(result.errors.empty());
  EXPECT_EQ(ReadFile(elsewhere / "victim"), ToBytes("must stay"));
  struct stat st = arkiv::testing::Lstat(target_ / "data/top.txt");
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(ReadFile(target_ / "data/top.txt"), ToBytes("top"));
}

TEST_F(RestoreTest, ADirectoryInTheWayOfAFileIsAnError) {
  MakeDir(target_ / "data");
  MakeDir(target_ / "data/top.txt");
  WriteFile(target_ / "data/top.txt/keep", ToBytes("user data"));
  auto result = Restore(target_.path());
  EXPECT_FALSE(result.has_value() && result->errors.empty());
  EXPECT_EQ(ReadFile(target_ / "data/top.txt/keep"), ToBytes("user data"));
}

TEST_F(RestoreTest, TargetThatIsAFileIsRefused) {
  WriteFile(target_ / "file", ToBytes("x"));
  EXPECT_TRUE(FailedWith(Restore(target_ / "file"), Code::kFailedPrecondition));
  EXPECT_TRUE(FailedWith(Restore(""), Code::kInvalidArgument));
}

TEST_F(RestoreTest, DamagedBlobIsReportedPerFileAndTheRestIsRestored) {
  auto repo = arkiv::testing::OpenRepository(store_);
  ASSERT_OK_AND_ASSIGN(auto record, repo->FindSnapshot(snapshot_.Hex()));
  ASSERT_OK_AND_ASSIGN(repo::Node big, FindNode(*repo, record.snapshot.tree, "data/media/big.bin"));
  auto where = repo->index().Find(big.content.front());
  ASSERT_TRUE(where.has_value());
  Bytes* pack = store_->MutableObject(repo::PackName(repo::BlobType::kData, where->pack));
  ASSERT_NE(pack, nullptr);
  (*pack)[where->entry.offset + 40] ^= 0xff;

  ASSERT_OK_AND_ASSIGN(RestoreResult result, Restore(target_.path()));
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].first, "data/media/big.bin");
  EXPECT_EQ(result.errors[0].second.code(), Code::kDataLoss);
  EXPECT_EQ(ReadFile(target_ / "data/docs/a.txt"), ToBytes("a"));
  EXPECT_EQ(ReadFile(target_ / "data/top.txt"), ToBytes("top"));
}

}  // namespace
}  // namespace arkiv::engine
