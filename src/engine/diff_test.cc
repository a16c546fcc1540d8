#include "engine/diff.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine_test_util.h"
#include "storage/backends/memory_store.h"

namespace arkiv::engine {
namespace {

using arkiv::testing::MakeDir;
using arkiv::testing::PseudoRandomBytes;
using arkiv::testing::SetMtime;
using arkiv::testing::TempDir;
using arkiv::testing::WriteFile;

constexpr int64_t kOld = 1'600'000'000'000'000'000;

class DiffTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_shared<storage::MemoryStore>();
    ASSERT_NE(arkiv::testing::InitRepository(store_), nullptr);
    root_ = source_ / "d";
    MakeDir(root_);
    MakeDir(root_ + "/dir");
    MakeDir(root_ + "/gone_dir");
    WriteFile(root_ + "/same", ToBytes("unchanged"));
    WriteFile(root_ + "/content", PseudoRandomBytes(50000, 1));
    WriteFile(root_ + "/resized", ToBytes("short"));
    WriteFile(root_ + "/chmod", ToBytes("mode changes"));
    WriteFile(root_ + "/touched", ToBytes("mtime changes"));
    WriteFile(root_ + "/removed", ToBytes("removed"));
    WriteFile(root_ + "/becomes_dir", ToBytes("a file first"));
    WriteFile(root_ + "/dir/nested_same", ToBytes("n"));
    WriteFile(root_ + "/dir/nested_changed", ToBytes("n1"));
    WriteFile(root_ + "/gone_dir/inner", ToBytes("i"));
    ASSERT_EQ(::symlink("target_one", (root_ + "/link").c_str()), 0);
    Settle();
    before_ = Snapshot();
  }

  // Gives every entry the same old mtime, so that only deliberate changes differ.
  void Settle() {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root_)) SetMtime(entry.path(), kOld);
    SetMtime(root_, kOld);
  }

  Id Snapshot() {
    auto backup = arkiv::testing::Backup(store_, arkiv::testing::BackupOf({root_}));
    EXPECT_TRUE(backup.has_value()) << backup.error().ToString();
    return backup ? backup->snapshot.tree : Id();
  }

  std::map<std::string, char> Diff(const Id& a, const Id& b) {
    auto repo = arkiv::testing::OpenRepository(store_);
    auto changes = DiffTrees(*repo, a, b);
    EXPECT_TRUE(changes.has_value()) << changes.error().ToString();
    std::map<std::string, char> out;
    for (const auto& c : changes.value_or(std::vector<Change>{})) {
      EXPECT_TRUE(out.emplace(c.path, c.kind).second) << "listed twice: " << c.path;
    }
    return out;
  }

  TempDir source_;
  std::string root_;
  Id before_;
  std::shared_ptr<storage::MemoryStore> store_;
};

TEST_F(DiffTest, IdenticalSnapshotsHaveNoChanges) {
  Id again = Snapshot();
  EXPECT_EQ(again, before_);
  EXPECT_TRUE(Diff(before_, again).empty());
}

TEST_F(DiffTest, DetectsEveryKindOfChange) {
  WriteFile(root_ + "/content", PseudoRandomBytes(50000, 2));
  WriteFile(root_ + "/resized", ToBytes("a good deal longer now"));
  ASSERT_EQ(::chmod((root_ + "/chmod").c_str(), 0600), 0);
  ASSERT_EQ(::unlink((root_ + "/removed").c_str()), 0);
  ASSERT_EQ(::unlink((root_ + "/becomes_dir").c_str()), 0);
  MakeDir(root_ + "/becomes_dir");
  WriteFile(root_ + "/added", ToBytes("new"));
  MakeDir(root_ + "/added_dir");
  WriteFile(root_ + "/added_dir/child", ToBytes("c"));
  WriteFile(root_ + "/dir/nested_changed", ToBytes("n2"));
  std::filesystem::remove_all(root_ + "/gone_dir");
  ASSERT_EQ(::unlink((root_ + "/link").c_str()), 0);
  ASSERT_EQ(::symlink("target_two", (root_ + "/link").c_str()), 0);
  Settle();
  SetMtime(root_ + "/touched", kOld + 1);  // one nanosecond later

  Id after = Snapshot();
  std::map<std::string, char> expected{
      {"d/content", 'M'},  {"d/resized", 'M'},        {"d/chmod", 'U'},
      {"d/touched", 'U'},  {"d/removed", '-'},        {"d/becomes_dir", 'T'},
      {"d/added", '+'},    {"d/added_dir", '+'},      {"d/added_dir/child", '+'},
      {"d/gone_dir", '-'}, {"d/gone_dir/inner", '-'}, {"d/dir/nested_changed", 'M'},
      {"d/link", 'U'},
  };
  EXPECT_EQ(Diff(before_, after), expected);

  // The other way round, additions and removals swap.
  std::map<std::string, char> reversed = Diff(after, before_);
  EXPECT_EQ(reversed["d/added"], '-');
  EXPECT_EQ(reversed["d/gone_dir/inner"], '+');
  EXPECT_EQ(reversed["d/content"], 'M');
  EXPECT_EQ(reversed.size(), expected.size());
}

TEST_F(DiffTest, DirectoryMetadataChangeIsReportedOnce) {
  ASSERT_EQ(::chmod((root_ + "/dir").c_str(), 0700), 0);
  Settle();
  Id after = Snapshot();
  EXPECT_EQ(Diff(before_, after), (std::map<std::string, char>{{"d/dir", 'U'}}));
}

}  // namespace
}  // namespace arkiv::engine
