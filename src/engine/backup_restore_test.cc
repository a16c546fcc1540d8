// Backup → restore round trips, compared byte for byte and by metadata, on
// every kind of store.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/backup.h"
#include "engine/engine_test_util.h"
#include "engine/restore.h"
#include "storage/backends/local_store.h"
#include "storage/backends/memory_store.h"

namespace arkiv::engine {
namespace {

using arkiv::testing::CompareTrees;
using arkiv::testing::CompressibleBytes;
using arkiv::testing::FailedWith;
using arkiv::testing::Lstat;
using arkiv::testing::MakeDir;
using arkiv::testing::PseudoRandomBytes;
using arkiv::testing::SetMtime;
using arkiv::testing::TempDir;
using arkiv::testing::WriteFile;

const std::string kNonUtf8Name("\xff\xfe-latin1 \xe9t\xe9");
const std::string kNonUtf8Target("\xff\xfe/target");

// Builds a tree with every kind of entry the backup must carry. Returns the
// number of regular file paths (hardlinks counted once per path).
int BuildSourceTree(const std::string& root) {
  int files = 0;
  auto file = [&](const std::string& rel, ByteView data, mode_t mode = 0644) {
    WriteFile(root + "/" + rel, data, mode);
    EXPECT_EQ(::chmod((root + "/" + rel).c_str(), mode), 0);  // beyond the umask
    files++;
  };
  file("empty", Bytes{});
  file("one", ToBytes("x"));
  // Around the chunker's minimum (4 KiB) and maximum (64 KiB) sizes.
  for (size_t size : {4095, 4096, 4097, 65535, 65536, 65537, 131072}) {
    file("b" + std::to_string(size), PseudoRandomBytes(size, size));
  }
  file("big_random", PseudoRandomBytes(3 << 20, 77));
  file("big_text", CompressibleBytes(2 << 20, 78));
  file("private", ToBytes("secret"), 0600);
  file("readonly", ToBytes("ro"), 0444);
  file("script", ToBytes("#!/bin/sh\n"), 0755);
  file("setuid", ToBytes("suid"), 04755);

  MakeDir(root + "/dir", 0750);
  MakeDir(root + "/dir/sub", 0700);
  MakeDir(root + "/dir/empty_dir", 0755);
  file("dir/sub/deep.txt", CompressibleBytes(10000, 5));
  MakeDir(root + "/sticky", 0755);
  EXPECT_EQ(::chmod((root + "/sticky").c_str(), 01777), 0);
  MakeDir(root + "/readonly_dir", 0755);
  file("readonly_dir/inside.txt", ToBytes("inside a read-only directory"));
  EXPECT_EQ(::chmod((root + "/readonly_dir").c_str(), 0555), 0);

  MakeDir(root + "/links", 0755);
  EXPECT_EQ(::symlink("../one", (root + "/links/relative").c_str()), 0);
  EXPECT_EQ(::symlink("/nonexistent/absolute", (root + "/links/absolute").c_str()), 0);
  EXPECT_EQ(::symlink("missing", (root + "/links/dangling").c_str()), 0);
  EXPECT_EQ(::symlink("../dir", (root + "/links/to_dir").c_str()), 0);
  EXPECT_EQ(::symlink(kNonUtf8Target.c_str(), (root + "/links/non_utf8_target").c_str()), 0);

  // Three names for one inode, in different directories, plus a pair.
  file("hard_a", PseudoRandomBytes(70000, 9));
  EXPECT_EQ(::link((root + "/hard_a").c_str(), (root + "/dir/hard_b").c_str()), 0);
  EXPECT_EQ(::link((root + "/hard_a").c_str(), (root + "/links/hard_c").c_str()), 0);
  file("pair_1", ToBytes("pair"));
  EXPECT_EQ(::link((root + "/pair_1").c_str(), (root + "/pair_2").c_str()), 0);
  files += 3;

  // 8 MiB, of which two 4 KiB blocks hold data.
  {
    std::string path = root + "/sparse";
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    EXPECT_GE(fd, 0);
    Bytes block = PseudoRandomBytes(4096, 11);
    EXPECT_EQ(::pwrite(fd, block.data(), block.size(), 0), 4096);
    EXPECT_EQ(::pwrite(fd, block.data(), block.size(), 4 << 20), 4096);
    EXPECT_EQ(::ftruncate(fd, 8 << 20), 0);
    ::close(fd);
    files++;
  }

  for (const std::string& name :
       {kNonUtf8Name, std::string("new\nline"), std::string("ünïcødé 日本語"), std::string(" leading space"),
        std::string("-dash"), std::string("*?[glob]"), std::string("back\\slash"), std::string("tab\there")}) {
    file(name, AsBytes("named " + name));
  }
  MakeDir(root + "/" + kNonUtf8Name + ".d", 0755);
  file(kNonUtf8Name + ".d/child", ToBytes("below a non-UTF-8 directory"));

  EXPECT_EQ(::mkfifo((root + "/fifo").c_str(), 0640), 0);

  if (::geteuid() == 0) {
    file("owned", ToBytes("owned by someone else"));
    EXPECT_EQ(::chown((root + "/owned").c_str(), 1234, 5678), 0);
    EXPECT_EQ(::lchown((root + "/links/relative").c_str(), 4321, 8765), 0);
  }
  return files;
}

// Distinct nanosecond mtimes on everything, children before their directory.
void SetDistinctMtimes(const std::string& path, int64_t& next) {
  struct stat st = Lstat(path);
  if (S_ISDIR(st.st_mode)) {
    for (const auto& name : arkiv::testing::ListDir(path)) SetDistinctMtimes(path + "/" + name, next);
  }
  SetMtime(path, next);
  next += 1'000'000'007;  // seconds and a few nanoseconds apart
}

enum class StoreKind { kMemory, kLocal };

class BackupRestoreTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    if (GetParam() == StoreKind::kLocal) {
      store_ = std::make_shared<storage::LocalStore>(repo_dir_ / "repo");
    } else {
      store_ = std::make_shared<storage::MemoryStore>();
    }
    ASSERT_NE(arkiv::testing::InitRepository(store_), nullptr);
  }

  TempDir source_, target_, repo_dir_;
  std::shared_ptr<storage::Store> store_;
};

TEST_P(BackupRestoreTest, RoundTripIsByteAndMetadataExact) {
  std::string root = source_ / "data";
  MakeDir(root, 0755);
  int files = BuildSourceTree(root);
  int64_t mtime = 1'600'000'000'123'456'789;
  SetDistinctMtimes(root, mtime);

  arkiv::testing::RecordingObserver observer;
  ASSERT_OK_AND_ASSIGN(BackupResult backup,
                       arkiv::testing::Backup(store_, arkiv::testing::BackupOf({root}), &observer));
  EXPECT_TRUE(observer.warnings.empty()) << observer.warnings.front().second.ToString();
  EXPECT_TRUE(backup.warnings.empty());
  const auto& summary = backup.snapshot.summary;
  EXPECT_EQ(summary.files_new, uint64_t(files));
  EXPECT_EQ(summary.files_changed, 0u);
  EXPECT_EQ(summary.files_unchanged, 0u);
  EXPECT_EQ(summary.files_failed, 0u);
  EXPECT_GT(summary.bytes_processed, uint64_t(13) << 20);
  EXPECT_EQ(summary.bytes_processed, summary.bytes_total);
  // Deduplication (hardlinks, the sparse file's zeros) and compression.
  EXPECT_LT(summary.bytes_added, summary.bytes_total);
  EXPECT_LT(summary.bytes_stored, summary.bytes_added);
  EXPECT_EQ(backup.snapshot.paths, std::vector<std::string>{root});

  ASSERT_OK_AND_ASSIGN(RestoreResult restored, arkiv::testing::Restore(store_, backup.snapshot_id, target_.path()));
  for (const auto& [path, error] : restored.errors) ADD_FAILURE() << path << ": " << error.ToString();
  EXPECT_EQ(restored.files, uint64_t(files - 3));  // three of the paths are extra hardlinks
  EXPECT_EQ(CompareTrees(root, target_ / "data"), std::vector<std::string>{});

  // Hardlinks share one inode again.
  EXPECT_EQ(Lstat(target_ / "data/hard_a").st_ino, Lstat(target_ / "data/dir/hard_b").st_ino);
  EXPECT_EQ(Lstat(target_ / "data/hard_a").st_ino, Lstat(target_ / "data/links/hard_c").st_ino);
  EXPECT_EQ(Lstat(target_ / "data/hard_a").st_nlink, 3u);
  EXPECT_NE(Lstat(target_ / "data/hard_a").st_ino, Lstat(target_ / "data/pair_1").st_ino);

  // The sparse file stays sparse.
  struct stat sparse = Lstat(target_ / "data/sparse");
  EXPECT_EQ(sparse.st_size, 8 << 20);
  EXPECT_LT(uint64_t(sparse.st_blocks) * 512, uint64_t(1) << 20) << "allocated " << sparse.st_blocks * 512;

  EXPECT_TRUE(S_ISFIFO(Lstat(target_ / "data/fifo").st_mode));
  EXPECT_EQ(std::filesystem::read_symlink(target_ / "data/links/non_utf8_target").string(), kNonUtf8Target);
}

TEST_P(BackupRestoreTest, VerifyReReadsEveryRestoredFile) {
  std::string root = source_ / "v";
  MakeDir(root);
  WriteFile(root + "/a", PseudoRandomBytes(200000, 1));
  WriteFile(root + "/b", CompressibleBytes(100000, 2));
  WriteFile(root + "/empty", Bytes{});
  ASSERT_OK_AND_ASSIGN(BackupResult backup, arkiv::testing::Backup(store_, arkiv::testing::BackupOf({root})));
  ASSERT_OK_AND_ASSIGN(RestoreResult restored,
                       arkiv::testing::Restore(store_, backup.snapshot_id, target_.path(), {}, /*verify=*/true));
  EXPECT_TRUE(restored.errors.empty());
  EXPECT_EQ(restored.files, 3u);
  EXPECT_EQ(restored.verified_files, 3u);
  EXPECT_EQ(restored.bytes, 300000u);
  EXPECT_EQ(CompareTrees(root, target_ / "v"), std::vector<std::string>{});
}

TEST_P(BackupRestoreTest, SeveralPathsIncludingAFileAndASymlink) {
  MakeDir(source_ / "tree");
  WriteFile(source_ / "tree/inner", ToBytes("inner"));
  WriteFile(source_ / "single", PseudoRandomBytes(50000, 3), 0600);
  ASSERT_EQ(::symlink("single", (source_ / "alias").c_str()), 0);
  int64_t mtime = 1'500'000'000'000'000'001;
  for (const char* p : {"tree/inner", "tree", "single", "alias"}) {
    SetMtime(source_ / p, mtime);
    mtime += 999'999'999;
  }
  ASSERT_OK_AND_ASSIGN(BackupResult backup,
                       arkiv::testing::Backup(store_, arkiv::testing::BackupOf(
                                                          {source_ / "tree", source_ / "single", source_ / "alias"})));
  EXPECT_EQ(backup.snapshot.paths.size(), 3u);
  EXPECT_EQ(backup.snapshot.summary.files_new, 2u);
  ASSERT_OK_AND_ASSIGN(RestoreResult restored, arkiv::testing::Restore(store_, backup.snapshot_id, target_.path()));
  EXPECT_TRUE(restored.errors.empty());
  EXPECT_EQ(arkiv::testing::ListDir(target_.path()), (std::vector<std::string>{"alias", "single", "tree"}));
  for (const char* name : {"tree", "single", "alias"}) {
    EXPECT_EQ(CompareTrees(source_ / name, target_ / name), std::vector<std::string>{}) << name;
  }
}

TEST_P(BackupRestoreTest, TwoPathsWithTheSameNameAreRefused) {
  MakeDir(source_ / "a");
  MakeDir(source_ / "b");
  MakeDir(source_ / "a/x");
  MakeDir(source_ / "b/x");
  auto backup = arkiv::testing::Backup(store_, arkiv::testing::BackupOf({source_ / "a/x", source_ / "b/x"}));
  EXPECT_TRUE(FailedWith(backup, Code::kInvalidArgument));
  auto repo = arkiv::testing::OpenRepository(store_);
  ASSERT_OK_AND_ASSIGN(auto snapshots, repo->LoadSnapshots());
  EXPECT_TRUE(snapshots.empty());
}

TEST_P(BackupRestoreTest, NothingReadableIsAnError) {
  auto backup = arkiv::testing::Backup(store_, arkiv::testing::BackupOf({source_ / "does-not-exist"}));
  EXPECT_TRUE(FailedWith(backup, Code::kNotFound));
  EXPECT_TRUE(FailedWith(arkiv::testing::Backup(store_, arkiv::testing::BackupOf({})), Code::kInvalidArgument));
}

INSTANTIATE_TEST_SUITE_P(Stores, BackupRestoreTest, ::testing::Values(StoreKind::kMemory, StoreKind::kLocal),
                         [](const ::testing::TestParamInfo<StoreKind>& info) {
                           return info.param == StoreKind::kMemory ? "Memory" : "Local";
                         });

}  // namespace
}  // namespace arkiv::engine
