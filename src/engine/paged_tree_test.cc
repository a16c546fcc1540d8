// A directory of 20,000 entries stored as pages of 64 nodes (the page size
// is the test knob BackupOptions::tree_limits): backup, restore (whole, in
// small batches, one path), ls, diff, check and prune over paged trees, and a
// parent-snapshot backup that reuses unchanged files across pages.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <set>

#include "engine/check.h"
#include "engine/diff.h"
#include "engine/engine_test_util.h"
#include "engine/prune.h"
#include "engine/restore.h"
#include "engine/tree_walker.h"
#include "repo/tree_reader.h"
#include "storage/backends/memory_store.h"

namespace arkiv::engine {
namespace {

using arkiv::testing::CompareTrees;
using arkiv::testing::MakeDir;
using arkiv::testing::PseudoRandomBytes;
using arkiv::testing::SetMtime;
using arkiv::testing::TempDir;
using arkiv::testing::WriteFile;

constexpr int kEntries = 20000;
constexpr size_t kPageNodes = 64;
constexpr int64_t kOld = 1'600'000'000'000'000'000;

std::string Name(int i) {
  char buffer[16];
  (void)std::snprintf(buffer, sizeof buffer, "f%06d", i);
  return buffer;
}

class PagedTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_shared<storage::MemoryStore>();
    ASSERT_NE(arkiv::testing::InitRepository(store_), nullptr);
    big_ = source_ / "big";
    MakeDir(big_);
    // Mostly empty and tiny files; every 997th entry a directory with two
    // files, every 1009th a symlink, every 503rd a file of several chunks.
    for (int i = 0; i < kEntries; ++i) {
      std::string path = big_ + "/" + Name(i);
      if (i % 997 == 5) {
        MakeDir(path);
        WriteFile(path + "/inner", "inner " + std::to_string(i));
        WriteFile(path + "/empty", "");
      } else if (i % 1009 == 7) {
        ASSERT_EQ(::symlink(("target-" + std::to_string(i)).c_str(), path.c_str()), 0);
      } else if (i % 503 == 3) {
        WriteFile(path, PseudoRandomBytes(70000, i));
      } else if (i % 2 == 0) {
        WriteFile(path, "");
      } else {
        WriteFile(path, std::to_string(i));
      }
    }
    SetMtime(big_, kOld);
  }

  BackupOptions Options() {
    BackupOptions options = arkiv::testing::BackupOf({big_});
    options.tree_limits.page_nodes = kPageNodes;
    return options;
  }

  BackupResult Backup() {
    auto backup = arkiv::testing::Backup(store_, Options());
    EXPECT_TRUE(backup.has_value()) << backup.error().ToString();
    EXPECT_TRUE(backup->warnings.empty());
    return backup.value_or(BackupResult{});
  }

  // The tree of "big" in a snapshot.
  Id BigTree(const BackupResult& backup) {
    auto repo = arkiv::testing::OpenRepository(store_);
    auto node = FindNode(*repo, backup.snapshot.tree, "big");
    EXPECT_TRUE(node.has_value()) << node.error().ToString();
    return node ? node->subtree : Id();
  }

  std::vector<Id> PagesOf(const Id& tree) {
    auto repo = arkiv::testing::OpenRepository(store_);
    auto reader = repo::TreeReader::Open(*repo, tree);
    EXPECT_TRUE(reader.has_value()) << reader.error().ToString();
    return reader ? reader->pages() : std::vector<Id>{};
  }

  Result<RestoreResult> Restore(const BackupResult& backup, const std::string& target, RestoreOptions options) {
    auto repo = arkiv::testing::OpenRepository(store_);
    options.target = target;
    options.workers = 2;
    RestoreProgress progress;
    return RunRestore(*repo, backup.snapshot.tree, options, progress);
  }

  void ExpectRestoresExactly(const BackupResult& backup, RestoreOptions options = {}) {
    TempDir target;
    auto restored = Restore(backup, target.path(), options);
    ASSERT_TRUE(restored.has_value()) << restored.error().ToString();
    for (const auto& [path, error] : restored->errors) ADD_FAILURE() << path << ": " << error.ToString();
    EXPECT_EQ(CompareTrees(big_, target / "big"), std::vector<std::string>{});
  }

  CheckReport Check() { return arkiv::testing::CheckReadingData(store_); }

  // Changes three files on different pages, removes one, adds one.
  void Change() {
    for (int i : {101, 9001, 19999}) {
      WriteFile(big_ + "/" + Name(i), "changed " + std::to_string(i) + " with more bytes");
      SetMtime(big_ + "/" + Name(i), kOld + i);
    }
    ASSERT_EQ(::unlink((big_ + "/" + Name(4000)).c_str()), 0);
    WriteFile(big_ + "/" + Name(4000) + "b", "new");
    SetMtime(big_, kOld);
  }

  TempDir source_;
  std::string big_;
  std::shared_ptr<storage::MemoryStore> store_;
};

TEST_F(PagedTreeTest, BacksUpAndRestoresByteForByte) {
  BackupResult backup = Backup();
  std::vector<Id> pages = PagesOf(BigTree(backup));
  EXPECT_EQ(pages.size(), (kEntries + kPageNodes - 1) / kPageNodes);
  ExpectRestoresExactly(backup);
  // In batches of 500 files (40 plans), and of 7 files or blob references:
  // the same result.
  RestoreOptions batches;
  batches.batch_files = 500;
  ExpectRestoresExactly(backup, batches);
  batches.batch_files = 7;
  batches.batch_blobs = 7;
  ExpectRestoresExactly(backup, batches);

  // One path deep in the pages.
  TempDir target;
  RestoreOptions include;
  include.includes = {"big/" + Name(14960) + "/inner"};
  auto one = Restore(backup, target.path(), include);
  ASSERT_TRUE(one.has_value()) << one.error().ToString();
  EXPECT_EQ(one->files, 1u);
  EXPECT_EQ(arkiv::testing::ReadFile(target / ("big/" + Name(14960) + "/inner")), ToBytes("inner 14960"));

  // ls: every entry once, in name order.
  auto repo = arkiv::testing::OpenRepository(store_);
  std::vector<std::string> listed;
  ASSERT_OK(WalkTree(*repo, backup.snapshot.tree, "", [&](const std::string& path, const repo::Node&) {
    listed.push_back(path);
    return true;
  }));
  size_t dirs = 0;
  for (int i = 0; i < kEntries; ++i) dirs += i % 997 == 5;
  EXPECT_EQ(listed.size(), 1 + kEntries + 2 * dirs);
  EXPECT_TRUE(std::is_sorted(listed.begin(), listed.end()));

  CheckReport report = Check();
  for (const auto& p : report.problems) ADD_FAILURE() << p.kind << ": " << p.message;
}

TEST_F(PagedTreeTest, ParentBackupReusesUnchangedFilesAcrossPages) {
  BackupResult first = Backup();
  Change();
  BackupResult second = Backup();
  const auto& s = second.snapshot.summary;
  EXPECT_EQ(s.files_changed, 3u);
  EXPECT_EQ(s.files_new, 1u);
  EXPECT_EQ(s.files_unchanged, first.snapshot.summary.files_new - 4);
  // Only the changed and new files were read.
  uint64_t changed_bytes = 3;  // "new"
  for (int i : {101, 9001, 19999}) changed_bytes += ("changed " + std::to_string(i) + " with more bytes").size();
  EXPECT_EQ(s.bytes_processed, changed_bytes);
  ExpectRestoresExactly(second);

  // Pages before the first change are shared with the first snapshot.
  std::vector<Id> before = PagesOf(BigTree(first)), after = PagesOf(BigTree(second));
  ASSERT_GT(after.size(), 2u);
  EXPECT_EQ(before[0], after[0]);
  EXPECT_NE(before[1], after[1]);  // holds f000101

  auto repo = arkiv::testing::OpenRepository(store_);
  auto changes = DiffTrees(*repo, first.snapshot.tree, second.snapshot.tree);
  ASSERT_TRUE(changes.has_value()) << changes.error().ToString();
  std::map<std::string, char> got;
  for (const auto& c : *changes) got[c.path] = c.kind;
  std::map<std::string, char> want{{"big/" + Name(101), 'M'},   {"big/" + Name(9001), 'M'},
                                   {"big/" + Name(19999), 'M'}, {"big/" + Name(4000), '-'},
                                   {"big/" + Name(4000) + "b", '+'}};
  EXPECT_EQ(got, want);

  // Nothing changed since: the same tree, reused without reading a file.
  BackupResult third = Backup();
  EXPECT_EQ(third.snapshot.tree, second.snapshot.tree);
  EXPECT_EQ(third.snapshot.summary.bytes_processed, 0u);
  EXPECT_EQ(third.snapshot.summary.files_unchanged, s.files_new + s.files_changed + s.files_unchanged);
}

TEST_F(PagedTreeTest, ParentOfBeforePagesIsReusedWhenTheDirectoryBecomesPaged) {
  // As an arkiv before pages wrote it: the directory in one plain tree.
  BackupOptions plain = Options();
  plain.tree_limits.page_nodes = 1'000'000;
  plain.tree_limits.page_bytes = size_t{100} << 20;
  auto first = arkiv::testing::Backup(store_, plain);
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  EXPECT_TRUE(PagesOf(BigTree(*first)).empty());

  // Unchanged, it keeps its tree (no new tree blob, same snapshot tree).
  BackupResult same = Backup();
  EXPECT_EQ(same.snapshot.tree, first->snapshot.tree);
  EXPECT_EQ(same.snapshot.summary.bytes_processed, 0u);

  // Changed, it is written as pages; the plain parent's files are reused.
  Change();
  BackupResult paged = Backup();
  EXPECT_EQ(PagesOf(BigTree(paged)).size(), (kEntries + kPageNodes - 1) / kPageNodes);
  EXPECT_EQ(paged.snapshot.summary.files_unchanged, first->snapshot.summary.files_new - 4);
  EXPECT_EQ(paged.snapshot.summary.files_changed, 3u);
  auto repo = arkiv::testing::OpenRepository(store_);
  auto changes = DiffTrees(*repo, first->snapshot.tree, paged.snapshot.tree);
  ASSERT_TRUE(changes.has_value()) << changes.error().ToString();
  EXPECT_EQ(changes->size(), 5u);  // plain against paged: only the five real changes
  ExpectRestoresExactly(paged);
}

TEST_F(PagedTreeTest, PruneAndCheckCountEveryPage) {
  BackupResult first = Backup();
  Change();
  BackupResult second = Backup();
  {
    auto repo = arkiv::testing::OpenRepository(store_);
    ASSERT_OK(repo->RemoveFile(repo::FileKind::kSnapshot, first.snapshot_id));
  }
  {
    auto repo = repo::Repository::Open(store_, arkiv::testing::kTestPassword);
    ASSERT_TRUE(repo.has_value());
    PruneProgress progress;
    auto pruned = RunPrune(**repo, PruneOptions{.max_unused_percent = 0, .safety_window_ns = 0}, progress);
    ASSERT_TRUE(pruned.has_value()) << pruned.error().ToString();
    // The first snapshot's own pages were garbage, the second's are not.
    EXPECT_GT(pruned->blobs_unused, 0u);
  }
  CheckReport report = Check();
  for (const auto& p : report.problems) ADD_FAILURE() << p.kind << ": " << p.message;
  ExpectRestoresExactly(second);

  // A page gone from the index is a problem check names with the directory.
  std::vector<Id> pages = PagesOf(BigTree(second));
  auto repo = arkiv::testing::OpenRepository(store_);
  auto location = repo->index().Find(pages[100]);
  ASSERT_TRUE(location.has_value());
  ASSERT_OK(store_->Remove(repo::PackName(repo::BlobType::kTree, location->pack)));
  report = Check();
  EXPECT_TRUE(report.HasErrors());
  bool named = false;
  for (const auto& p : report.problems) {
    for (const auto& where : p.affected) named |= where.ends_with(": big");
  }
  EXPECT_TRUE(named);
  // The restore names the damaged directory and restores the rest.
  TempDir target;
  auto restored = Restore(second, target.path(), {});
  ASSERT_TRUE(restored.has_value()) << restored.error().ToString();
  EXPECT_FALSE(restored->errors.empty());
}

}  // namespace
}  // namespace arkiv::engine
