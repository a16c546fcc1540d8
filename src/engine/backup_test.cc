// Incremental backups, excludes and unreadable entries.
#include "engine/backup.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine_test_util.h"
#include "engine/tree_walker.h"
#include "repo/system_info.h"
#include "storage/backends/memory_store.h"

namespace arkiv::engine {
namespace {

using arkiv::testing::CompressibleBytes;
using arkiv::testing::FailedWith;
using arkiv::testing::MakeDir;
using arkiv::testing::PseudoRandomBytes;
using arkiv::testing::SetMtime;
using arkiv::testing::TempDir;
using arkiv::testing::WriteFile;

class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_shared<storage::MemoryStore>();
    ASSERT_NE(arkiv::testing::InitRepository(store_), nullptr);
    root_ = source_ / "src";
    MakeDir(root_);
  }

  Result<BackupResult> Run(BackupOptions options) { return arkiv::testing::Backup(store_, options); }
  Result<BackupResult> Run() { return Run(arkiv::testing::BackupOf({root_})); }

  // Paths of every node in a snapshot, relative to its root tree.
  std::set<std::string> PathsIn(const BackupResult& backup) {
    auto repo = arkiv::testing::OpenRepository(store_);
    std::set<std::string> paths;
    auto st = WalkTree(*repo, backup.snapshot.tree, "", [&](const std::string& path, const repo::Node&) {
      paths.insert(path);
      return true;
    });
    EXPECT_TRUE(st.has_value());
    return paths;
  }

  TempDir source_;
  std::string root_;
  std::shared_ptr<storage::MemoryStore> store_;
};

class IncrementalBackupTest : public BackupTest {
 protected:
  void SetUp() override {
    BackupTest::SetUp();
    MakeDir(root_ + "/sub");
    for (int i = 0; i < 6; ++i) {
      std::string path = root_ + (i % 2 ? "/sub/f" : "/f") + std::to_string(i);
      WriteFile(path, PseudoRandomBytes(30000 + 1000 * i, i));
      sizes_[path] = 30000 + 1000 * i;
    }
    WriteFile(root_ + "/text", CompressibleBytes(50000, 1));
    sizes_[root_ + "/text"] = 50000;
    // Files just written may change again within the clock's granularity;
    // give everything a settled mtime in the past.
    for (const auto& [path, size] : sizes_) SetMtime(path, 1'600'000'000'000'000'000);
  }

  std::map<std::string, uint64_t> sizes_;
};

TEST_F(IncrementalBackupTest, UnchangedFilesAreNotReadAgain) {
  ASSERT_OK_AND_ASSIGN(BackupResult first, Run());
  EXPECT_EQ(first.snapshot.summary.files_new, sizes_.size());
  EXPECT_FALSE(first.snapshot.parent.has_value());
  size_t data_blobs = arkiv::testing::DataBlobCount(store_);
  auto objects = arkiv::testing::ListObjects(*store_);

  ASSERT_OK_AND_ASSIGN(BackupResult second, Run());
  const auto& s = second.snapshot.summary;
  EXPECT_EQ(s.bytes_processed, 0u);
  EXPECT_EQ(s.files_unchanged, sizes_.size());
  EXPECT_EQ(s.files_new, 0u);
  EXPECT_EQ(s.files_changed, 0u);
  EXPECT_EQ(s.blobs_added, 0u);  // not even a tree: nothing changed
  EXPECT_EQ(s.bytes_total, first.snapshot.summary.bytes_total);
  EXPECT_EQ(second.snapshot.parent, first.snapshot_id);
  EXPECT_EQ(second.snapshot.tree, first.snapshot.tree);
  EXPECT_EQ(arkiv::testing::DataBlobCount(store_), data_blobs);
  // The only new object is the snapshot itself.
  auto after = arkiv::testing::ListObjects(*store_);
  EXPECT_EQ(after.size(), objects.size() + 1);
  EXPECT_TRUE(after.contains(repo::FileName(repo::FileKind::kSnapshot, second.snapshot_id)));
}

TEST_F(IncrementalBackupTest, OnlyTheModifiedFileIsRead) {
  ASSERT_OK_AND_ASSIGN(BackupResult first, Run());
  size_t data_blobs = arkiv::testing::DataBlobCount(store_);
  std::string victim = root_ + "/sub/f3";
  WriteFile(victim, PseudoRandomBytes(sizes_[victim], 12345));  // same size, new bytes

  ASSERT_OK_AND_ASSIGN(BackupResult second, Run());
  const auto& s = second.snapshot.summary;
  EXPECT_EQ(s.bytes_processed, sizes_[victim]);
  EXPECT_EQ(s.files_changed, 1u);
  EXPECT_EQ(s.files_unchanged, sizes_.size() - 1);
  EXPECT_EQ(s.files_new, 0u);
  EXPECT_GT(arkiv::testing::DataBlobCount(store_), data_blobs);
  EXPECT_NE(second.snapshot.tree, first.snapshot.tree);

  // Adding a file reads just that one.
  WriteFile(root_ + "/added", PseudoRandomBytes(7777, 99));
  ASSERT_OK_AND_ASSIGN(BackupResult third, Run());
  EXPECT_EQ(third.snapshot.summary.bytes_processed, 7777u);
  EXPECT_EQ(third.snapshot.summary.files_new, 1u);
  EXPECT_EQ(third.snapshot.summary.files_unchanged, sizes_.size());
}

TEST_F(IncrementalBackupTest, TouchedFileIsReadAgainButAddsNoData) {
  ASSERT_OK_AND_ASSIGN(BackupResult first, Run());
  size_t data_blobs = arkiv::testing::DataBlobCount(store_);
  std::string victim = root_ + "/f0";
  SetMtime(victim, 1'700'000'000'000'000'000);

  ASSERT_OK_AND_ASSIGN(BackupResult second, Run());
  const auto& s = second.snapshot.summary;
  EXPECT_EQ(s.bytes_processed, sizes_[victim]);
  EXPECT_EQ(s.files_changed, 1u);
  EXPECT_EQ(s.files_unchanged, sizes_.size() - 1);
  EXPECT_GT(s.bytes_added, 0u);                                  // the trees changed…
  EXPECT_EQ(arkiv::testing::DataBlobCount(store_), data_blobs);  // …but no file data did
}

TEST_F(IncrementalBackupTest, ForceRereadReadsEverythingButAddsNoData) {
  ASSERT_OK(Run());
  size_t data_blobs = arkiv::testing::DataBlobCount(store_);
  BackupOptions options = arkiv::testing::BackupOf({root_});
  options.force_reread = true;
  ASSERT_OK_AND_ASSIGN(BackupResult again, Run(options));
  uint64_t total = 0;
  for (const auto& [path, size] : sizes_) total += size;
  EXPECT_EQ(again.snapshot.summary.bytes_processed, total);
  EXPECT_EQ(again.snapshot.summary.blobs_added, 0u);
  EXPECT_EQ(arkiv::testing::DataBlobCount(store_), data_blobs);
}

TEST_F(IncrementalBackupTest, AnotherHostDoesNotUseThisHostsParent) {
  ASSERT_OK(Run());
  BackupOptions options = arkiv::testing::BackupOf({root_});
  options.host = "some-other-host";
  ASSERT_OK_AND_ASSIGN(BackupResult other, Run(options));
  EXPECT_FALSE(other.snapshot.parent.has_value());
  EXPECT_EQ(other.snapshot.host, "some-other-host");
  EXPECT_EQ(other.snapshot.summary.files_new, sizes_.size());
  EXPECT_EQ(other.snapshot.summary.blobs_added, 0u);  // the data is deduplicated all the same
}

TEST_F(IncrementalBackupTest, ExplicitParentIsUsedAndAnUnknownOneRefused) {
  ASSERT_OK_AND_ASSIGN(BackupResult first, Run());
  BackupOptions options = arkiv::testing::BackupOf({root_});
  options.host = "other";
  options.parent = first.snapshot_id;
  ASSERT_OK_AND_ASSIGN(BackupResult second, Run(options));
  EXPECT_EQ(second.snapshot.parent, first.snapshot_id);
  EXPECT_EQ(second.snapshot.summary.bytes_processed, 0u);

  options.parent = Id();
  EXPECT_TRUE(FailedWith(Run(options), Code::kNotFound));
}

TEST_F(IncrementalBackupTest, ParentWithMissingBlobsIsNotTrusted) {
  ASSERT_OK_AND_ASSIGN(BackupResult first, Run());
  // Lose every index: the parent's blobs are no longer known to be stored.
  auto repo = arkiv::testing::OpenRepository(store_);
  for (const Id& id : repo->index().LoadedFiles()) ASSERT_OK(repo->RemoveFile(repo::FileKind::kIndex, id));
  ASSERT_OK_AND_ASSIGN(BackupResult second, Run());
  uint64_t total = 0;
  for (const auto& [path, size] : sizes_) total += size;
  EXPECT_EQ(second.snapshot.summary.bytes_processed, total);
  EXPECT_EQ(second.snapshot.summary.files_unchanged, 0u);
}

TEST_F(BackupTest, ATopLevelFileThatChangedCountsAsChanged) {
  std::string file = source_ / "single";
  WriteFile(file, PseudoRandomBytes(10000, 1));
  SetMtime(file, 1'600'000'000'000'000'000);
  ASSERT_OK_AND_ASSIGN(BackupResult first, Run(arkiv::testing::BackupOf({file})));
  EXPECT_EQ(first.snapshot.summary.files_new, 1u);
  ASSERT_OK_AND_ASSIGN(BackupResult same, Run(arkiv::testing::BackupOf({file})));
  EXPECT_EQ(same.snapshot.summary.files_unchanged, 1u);
  EXPECT_EQ(same.snapshot.summary.bytes_processed, 0u);
  WriteFile(file, PseudoRandomBytes(10000, 2));
  ASSERT_OK_AND_ASSIGN(BackupResult changed, Run(arkiv::testing::BackupOf({file})));
  EXPECT_EQ(changed.snapshot.summary.files_changed, 1u);
  EXPECT_EQ(changed.snapshot.summary.files_new, 0u);
  EXPECT_EQ(changed.snapshot.summary.bytes_processed, 10000u);
}

TEST_F(BackupTest, TagsAndHostAreRecorded) {
  WriteFile(root_ + "/a", ToBytes("a"));
  BackupOptions options = arkiv::testing::BackupOf({root_});
  options.tags = {"nightly", "db"};
  ASSERT_OK_AND_ASSIGN(BackupResult backup, Run(options));
  EXPECT_EQ(backup.snapshot.tags, (std::vector<std::string>{"nightly", "db"}));
  EXPECT_EQ(backup.snapshot.host, repo::HostName());
  auto repo = arkiv::testing::OpenRepository(store_);
  ASSERT_OK_AND_ASSIGN(auto found, repo->FindSnapshot(backup.snapshot_id.Hex()));
  EXPECT_TRUE(found.snapshot.HasTag("db"));
  EXPECT_EQ(found.snapshot.tree, backup.snapshot.tree);
}

TEST_F(BackupTest, ExcludesLeaveMatchingEntriesOut) {
  for (const char* dir : {"/a", "/a/b", "/a/b/c", "/a/.cache", "/build", "/build/out", "/keep"}) MakeDir(root_ + dir);
  for (const char* file :
       {"/main.c", "/main.o", "/a/x.o", "/a/b/c/deep.o", "/a/b/c/deep.log", "/a/b/note.log", "/a/.cache/blob",
        "/build/out/bin", "/keep/skip.txt", "/keep/keep.txt", "/top.log", "/a/b/c/secret.key"}) {
    WriteFile(root_ + file, ToBytes(file));
  }
  BackupOptions options = arkiv::testing::BackupOf({root_});
  options.excludes.Add("*.o");                  // a name anywhere
  options.excludes.Add(".cache");               // a directory name, with everything below
  options.excludes.Add(root_ + "/build/");      // an absolute path (trailing slash ignored)
  options.excludes.Add(root_ + "/*/skip.txt");  // '*' within one component
  options.excludes.Add(root_ + "/a/**/*.log");  // '**' across directories
  options.excludes.Add(root_ + "/**/secret.key");
  ASSERT_OK_AND_ASSIGN(BackupResult backup, Run(options));
  std::set<std::string> expected{"src",        "src/a",      "src/a/b", "src/a/b/c", "src/keep", "src/keep/keep.txt",
                                 "src/main.c", "src/top.log"};
  EXPECT_EQ(PathsIn(backup), expected);
  EXPECT_EQ(backup.snapshot.summary.files_new, 3u);
}

TEST_F(BackupTest, ExcludeRulesMatchNamesAndPaths) {
  ExcludeRules rules;
  EXPECT_TRUE(rules.empty());
  rules.Add("*.tmp");
  rules.Add("/var/cache/**");
  rules.Add("/home/*/.cache");
  rules.Add("/srv/**/logs/*.gz");
  EXPECT_FALSE(rules.empty());
  EXPECT_TRUE(rules.Matches("/x/y/z.tmp", "z.tmp"));
  EXPECT_FALSE(rules.Matches("/x/y.tmp/z", "z"));  // names are matched per entry, when it is visited
  EXPECT_TRUE(rules.Matches("/var/cache/apt/archives/x.deb", "x.deb"));
  EXPECT_TRUE(rules.Matches("/home/alice/.cache", ".cache"));
  EXPECT_FALSE(rules.Matches("/home/alice/sub/.cache", ".cache"));  // '*' does not cross '/'
  EXPECT_TRUE(rules.Matches("/srv/app/logs/old.gz", "old.gz"));
  EXPECT_TRUE(rules.Matches("/srv/a/b/c/logs/old.gz", "old.gz"));
  EXPECT_TRUE(rules.Matches("/srv/logs/old.gz", "old.gz"));  // '**/' may match no directory
  EXPECT_FALSE(rules.Matches("/srv/app/logs/old.txt", "old.txt"));
  EXPECT_FALSE(rules.Matches("/srv/app/logs/sub/old.gz", "old.gz"));
}

TEST_F(BackupTest, ExcludeFileSkipsCommentsAndBlankLines) {
  WriteFile(source_ / "excludes", ToBytes("# comment\n\n*.bak\r\n/abs/path\n"));
  ExcludeRules rules;
  ASSERT_OK(rules.AddFromFile(source_ / "excludes"));
  EXPECT_TRUE(rules.Matches("/x/a.bak", "a.bak"));
  EXPECT_TRUE(rules.Matches("/abs/path", "path"));
  EXPECT_FALSE(rules.Matches("/x/# comment", "# comment"));
  EXPECT_FALSE(rules.AddFromFile(source_ / "missing").has_value());
}

// Drops the effective uid for the scope, so that permission bits apply even
// when the tests run as root.
class EffectiveUser {
 public:
  explicit EffectiveUser(uid_t uid) : saved_(::geteuid()) { ok_ = saved_ != 0 || ::seteuid(uid) == 0; }
  ~EffectiveUser() {
    if (saved_ == 0 && ok_) (void)::seteuid(0);
  }
  bool ok() const { return ok_; }

 private:
  uid_t saved_;
  bool ok_ = false;
};

TEST_F(BackupTest, UnreadableEntriesAreReportedAndLeftOut) {
  // The walk must be able to enter the tree as the unprivileged user.
  ASSERT_EQ(::chmod(source_.path().c_str(), 0755), 0);
  MakeDir(root_ + "/locked_dir", 0755);
  WriteFile(root_ + "/locked_dir/hidden", ToBytes("hidden"));
  WriteFile(root_ + "/readable", ToBytes("fine"));
  WriteFile(root_ + "/unreadable", ToBytes("secret"));
  ASSERT_EQ(::chmod((root_ + "/unreadable").c_str(), 0), 0);
  ASSERT_EQ(::chmod((root_ + "/locked_dir").c_str(), 0), 0);

  arkiv::testing::RecordingObserver observer;
  Result<BackupResult> backup = Fail(Code::kInternal, "not run");
  {
    auto repo = arkiv::testing::OpenRepository(store_);
    EffectiveUser nobody(65534);
    if (!nobody.ok()) GTEST_SKIP() << "cannot drop privileges to test unreadable files";
    if (::faccessat(AT_FDCWD, root_.c_str(), R_OK | X_OK, AT_EACCESS) != 0)
      GTEST_SKIP() << "the unprivileged user cannot reach " << root_;
    BackupProgress progress;
    backup = RunBackup(*repo, arkiv::testing::BackupOf({root_}), progress, &observer);
  }
  ASSERT_TRUE(backup.has_value()) << backup.error().ToString();
  std::set<std::string> warned;
  for (const auto& [path, error] : observer.warnings) {
    warned.insert(path);
    EXPECT_EQ(error.code(), Code::kPermissionDenied) << path << ": " << error.ToString();
  }
  EXPECT_EQ(warned, (std::set<std::string>{root_ + "/unreadable", root_ + "/locked_dir"}));
  EXPECT_EQ(backup->warnings.size(), 2u);
  EXPECT_EQ(backup->snapshot.summary.files_failed, 2u);
  EXPECT_EQ(PathsIn(*backup), (std::set<std::string>{"src", "src/readable"}));
}

// procfs lists its files with size 0 and gives their content when read: a
// file that "grew" between the listing and the read, every time. It is
// stored as read, with the size read, and reported; not silently.
TEST_F(BackupTest, AFileThatGrowsBetweenListingAndReadingIsStoredAsReadAndReported) {
  const std::string grows = "/proc/version";
  struct stat st{};
  if (::lstat(grows.c_str(), &st) != 0 || st.st_size != 0) GTEST_SKIP() << "no procfs at /proc";
  Bytes content = arkiv::testing::ReadFile(grows);
  ASSERT_FALSE(content.empty());

  arkiv::testing::RecordingObserver observer;
  ASSERT_OK_AND_ASSIGN(BackupResult backup,
                       arkiv::testing::Backup(store_, arkiv::testing::BackupOf({root_, grows}), &observer));
  ASSERT_EQ(backup.changed_while_read.size(), 1u);
  EXPECT_EQ(backup.changed_while_read[0].first, grows);
  EXPECT_EQ(backup.changed_while_read[0].second,
            fmt::format("size changed: 0 bytes when listed, {0} read, 0 after", content.size()));
  EXPECT_EQ(observer.changed, backup.changed_while_read);
  EXPECT_TRUE(backup.warnings.empty());  // it is in the snapshot, not left out

  auto repo = arkiv::testing::OpenRepository(store_);
  ASSERT_OK_AND_ASSIGN(repo::Node node, FindNode(*repo, backup.snapshot.tree, "version"));
  EXPECT_EQ(node.size, content.size());
  TempDir target;
  ASSERT_OK_AND_ASSIGN(RestoreResult restored, arkiv::testing::Restore(store_, backup.snapshot_id, target.path()));
  EXPECT_TRUE(restored.errors.empty());
  EXPECT_EQ(arkiv::testing::ReadFile(target / "version"), content);
}

TEST_F(BackupTest, FilesThatDoNotChangeAreNotReported) {
  WriteFile(root_ + "/a", ToBytes("steady"));
  SetMtime(root_ + "/a", 1'600'000'000'000'000'000);
  arkiv::testing::RecordingObserver observer;
  ASSERT_OK_AND_ASSIGN(BackupResult backup,
                       arkiv::testing::Backup(store_, arkiv::testing::BackupOf({root_}), &observer));
  EXPECT_TRUE(backup.changed_while_read.empty());
  EXPECT_TRUE(observer.changed.empty());
}

TEST_F(BackupTest, SpecialFilesAreRecordedNotRead) {
  ASSERT_EQ(::mkfifo((root_ + "/pipe").c_str(), 0600), 0);  // opening it would block
  WriteFile(root_ + "/file", ToBytes("x"));
  ASSERT_OK_AND_ASSIGN(BackupResult backup, Run());
  auto repo = arkiv::testing::OpenRepository(store_);
  ASSERT_OK_AND_ASSIGN(repo::Node pipe, FindNode(*repo, backup.snapshot.tree, "src/pipe"));
  EXPECT_EQ(pipe.type, repo::NodeType::kFifo);
  EXPECT_EQ(pipe.mode, 0600u);
  EXPECT_EQ(backup.snapshot.summary.files_new, 1u);
  EXPECT_EQ(backup.snapshot.summary.bytes_processed, 1u);
}

TEST_F(BackupTest, FileNodesRecordContentAndMetadata) {
  Bytes data = PseudoRandomBytes(200000, 4);
  WriteFile(root_ + "/f", data, 0640);
  ASSERT_EQ(::chmod((root_ + "/f").c_str(), 0640), 0);
  SetMtime(root_ + "/f", 1'234'567'890'987'654'321);
  ASSERT_OK_AND_ASSIGN(BackupResult backup, Run());
  auto repo = arkiv::testing::OpenRepository(store_);
  ASSERT_OK_AND_ASSIGN(repo::Node node, FindNode(*repo, backup.snapshot.tree, "src/f"));
  EXPECT_EQ(node.type, repo::NodeType::kFile);
  EXPECT_EQ(node.size, data.size());
  EXPECT_EQ(node.mode, 0640u);
  EXPECT_EQ(node.mtime_ns, 1'234'567'890'987'654'321);
  EXPECT_EQ(node.links, 1u);
  // 200 KB in chunks of 4..64 KiB.
  EXPECT_GE(node.content.size(), 4u);
  EXPECT_LE(node.content.size(), 49u);
  Bytes joined;
  for (const Id& id : node.content) {
    ASSERT_OK_AND_ASSIGN(Bytes chunk, repo->LoadBlob(id));
    EXPECT_GE(chunk.size(), 1u);
    EXPECT_LE(chunk.size(), 64u * 1024);
    joined.insert(joined.end(), chunk.begin(), chunk.end());
  }
  EXPECT_EQ(joined, data);
}

}  // namespace
}  // namespace arkiv::engine
