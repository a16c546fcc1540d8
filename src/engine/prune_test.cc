#include "engine/prune.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <set>

#include "crypto/sha256.h"
#include "engine/check.h"
#include "engine/engine_test_util.h"
#include "engine/tree_walker.h"
#include "repo/blob_saver.h"
#include "repo/pack.h"
#include "storage/backends/memory_store.h"
#include "storage/wrappers/fault_store.h"
#include "repo/prune_marker.h"

namespace arkiv::engine {
namespace {

using arkiv::testing::CompareTrees;
using arkiv::testing::FailedWith;
using arkiv::testing::ListObjects;
using arkiv::testing::MakeDir;
using arkiv::testing::PseudoRandomBytes;
using arkiv::testing::TempDir;
using arkiv::testing::WriteFile;

// Three snapshots of three directories. Files are named so that, in backup
// order, blobs unique to the first snapshot and blobs shared with the others
// alternate: the first snapshot's packs end up partly used once it is gone.
class PruneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_shared<storage::MemoryStore>();
    ASSERT_NE(arkiv::testing::InitRepository(store_), nullptr);
    for (int s = 0; s < 3; ++s) {
      roots_.push_back(source_ / ("snap" + std::to_string(s)));
      MakeDir(roots_.back());
    }
    for (int i = 0; i < 6; ++i) {
      Bytes shared = PseudoRandomBytes(90000, 100 + i);
      // Only in the first snapshot.
      WriteFile(roots_[0] + "/f" + std::to_string(i) + "a_unique", PseudoRandomBytes(90000, 200 + i));
      WriteFile(roots_[0] + "/f" + std::to_string(i) + "b_shared", shared);
      WriteFile(roots_[1] + "/f" + std::to_string(i) + "b_shared", shared);
      WriteFile(roots_[2] + "/g" + std::to_string(i), PseudoRandomBytes(50000, 300 + i));
    }
    WriteFile(roots_[2] + "/copy_of_shared", PseudoRandomBytes(90000, 100));
    for (const auto& root : roots_) {
      auto backup = arkiv::testing::Backup(store_, arkiv::testing::BackupOf({root}));
      ASSERT_TRUE(backup.has_value()) << backup.error().ToString();
      snapshots_.push_back(backup->snapshot_id);
    }
  }

  void Forget(int which) {
    auto repo = arkiv::testing::OpenRepository(store_);
    ASSERT_OK(repo->RemoveFile(repo::FileKind::kSnapshot, snapshots_[which]));
  }

  // Mark and sweep in one go, as when nothing runs beside prune; the
  // two-phase protocol has its own tests (prune_race_test.cc).
  Result<PruneReport> Prune(PruneOptions options) {
    options.safety_window_ns = 0;
    auto repo = repo::Repository::Open(store_, arkiv::testing::kTestPassword);
    if (!repo) return Fail(repo.error());
    PruneProgress progress;
    return RunPrune(**repo, options, progress);
  }

  void ExpectRestoresExactly(int which) {
    TempDir target;
    auto restored = arkiv::testing::Restore(store_, snapshots_[which], target.path());
    ASSERT_TRUE(restored.has_value()) << restored.error().ToString();
    for (const auto& [path, error] : restored->errors) ADD_FAILURE() << path << ": " << error.ToString();
    std::string name = "snap" + std::to_string(which);
    EXPECT_EQ(CompareTrees(roots_[which], target / name), std::vector<std::string>{}) << name;
  }

  CheckReport Check() { return arkiv::testing::CheckReadingData(store_); }

  // Pack names in the store.
  std::set<std::string> Packs() {
    std::set<std::string> packs;
    for (const auto& [name, size] : ListObjects(*store_)) {
      if (name.starts_with("data/") || name.starts_with("tree/")) packs.insert(name);
    }
    return packs;
  }

  // Every blob reachable from the remaining snapshots.
  std::set<Id> UsedBlobs() {
    auto repo = arkiv::testing::OpenRepository(store_);
    std::set<Id> used;
    auto snapshots = repo->LoadSnapshots();
    EXPECT_TRUE(snapshots.has_value());
    for (const auto& record : *snapshots) {
      used.insert(record.snapshot.tree);
      auto st = WalkTree(*repo, record.snapshot.tree, "", [&](const std::string&, const repo::Node& node) {
        used.insert(node.content.begin(), node.content.end());
        if (node.type == repo::NodeType::kDirectory) used.insert(node.subtree);
        return true;
      });
      EXPECT_TRUE(st.has_value());
    }
    return used;
  }

  // Every blob in the stored packs, by reading their headers.
  std::multiset<Id> StoredBlobs() {
    auto repo = arkiv::testing::OpenRepository(store_);
    std::multiset<Id> blobs;
    for (const auto& [name, size] : ListObjects(*store_)) {
      if (!name.starts_with("data/") && !name.starts_with("tree/")) continue;
      auto entries = repo::ReadPackHeader(repo->key(), *store_, name, size);
      EXPECT_TRUE(entries.has_value()) << name;
      for (const auto& e : entries.value_or(std::vector<repo::BlobEntry>{})) blobs.insert(e.id);
    }
    return blobs;
  }

  TempDir source_;
  std::vector<std::string> roots_;
  std::vector<Id> snapshots_;
  std::shared_ptr<storage::MemoryStore> store_;
};

TEST_F(PruneTest, NothingToDoWhenEverythingIsUsed) {
  auto before = ListObjects(*store_);
  ASSERT_OK_AND_ASSIGN(PruneReport report, Prune(PruneOptions{.max_unused_percent = 0}));
  EXPECT_EQ(report.packs_deleted, 0u);
  EXPECT_EQ(report.packs_repacked, 0u);
  EXPECT_EQ(report.packs_unindexed_deleted, 0u);
  EXPECT_EQ(report.blobs_unused, 0u);
  EXPECT_EQ(report.bytes_after, report.bytes_before);
  // Packs are untouched; only the index was rewritten.
  for (const auto& [name, size] : before) {
    if (name.starts_with("data/") || name.starts_with("tree/")) {
      EXPECT_TRUE(ListObjects(*store_).contains(name));
    }
  }
  for (int s = 0; s < 3; ++s) ExpectRestoresExactly(s);
}

TEST_F(PruneTest, RemovesUnusedAndRepacksPartlyUsedPacks) {
  Forget(0);
  std::set<std::string> packs_before = Packs();
  ASSERT_OK_AND_ASSIGN(PruneReport report, Prune(PruneOptions{.max_unused_percent = 0}));
  EXPECT_GT(report.blobs_unused, 0u);
  EXPECT_GE(report.packs_repacked, 1u);
  EXPECT_GE(report.packs_written, 1u);
  EXPECT_EQ(report.bytes_unused_after, 0u);
  EXPECT_LT(report.bytes_after, report.bytes_before);
  EXPECT_EQ(report.packs_before, packs_before.size());
  EXPECT_EQ(report.index_files_written, 1u);

  // Exactly the used blobs remain, each once, and the store matches the index.
  std::set<Id> used = UsedBlobs();
  std::multiset<Id> stored = StoredBlobs();
  EXPECT_EQ(std::set<Id>(stored.begin(), stored.end()), used);
  EXPECT_EQ(stored.size(), used.size());
  std::set<std::string> packs_after = Packs();
  EXPECT_EQ(packs_after.size(),
            packs_before.size() - report.packs_deleted - report.packs_repacked + report.packs_written);
  auto repo = arkiv::testing::OpenRepository(store_);
  EXPECT_EQ(repo->index().PackCount(), packs_after.size());
  ASSERT_OK_AND_ASSIGN(auto index_files, repo->ListFiles(repo::FileKind::kIndex));
  EXPECT_EQ(index_files.size(), 1u);

  CheckReport check = Check();
  EXPECT_TRUE(check.problems.empty()) << check.problems.front().message;
  ExpectRestoresExactly(1);
  ExpectRestoresExactly(2);

  // A second prune finds nothing left to do.
  ASSERT_OK_AND_ASSIGN(PruneReport again, Prune(PruneOptions{.max_unused_percent = 0}));
  EXPECT_EQ(again.blobs_unused, 0u);
  EXPECT_EQ(again.packs_deleted + again.packs_repacked + again.packs_unindexed_deleted, 0u);
}

// A store that retains objects (S3 Object Lock) refuses to remove them with
// kRetained: prune leaves those packs and index files in place, keeps the
// markers naming them, and deletes them once the store lets it.
TEST_F(PruneTest, RetainedPacksStayMarkedUntilTheStoreReleasesThem) {
  Forget(0);
  std::set<std::string> packs_before = Packs();
  auto locked = std::make_shared<storage::FaultStore>(store_);
  for (const char* prefix : {"data/", "tree/", "index/"}) {
    locked->AddRule(storage::FaultRule::Fail(Code::kRetained).On(storage::Operation::kRemove).WithPrefix(prefix));
  }
  PruneReport held;
  {
    ASSERT_OK_AND_ASSIGN(auto repo, repo::Repository::Open(locked, arkiv::testing::kTestPassword));
    PruneProgress progress;
    ASSERT_OK_AND_ASSIGN(held, RunPrune(*repo, PruneOptions{.max_unused_percent = 0, .safety_window_ns = 0},
                                        progress));
  }
  EXPECT_GE(held.packs_retained, 1u);
  EXPECT_EQ(held.packs_swept, 0u);
  EXPECT_FALSE(held.retained_example.empty());
  for (const auto& pack : packs_before) EXPECT_TRUE(Packs().contains(pack)) << pack << " was deleted";
  {
    auto repo = arkiv::testing::OpenRepository(store_);
    ASSERT_OK_AND_ASSIGN(auto markers, repo::LoadPruneMarkers(*repo));
    EXPECT_EQ(markers.size(), 1u) << "the marker naming the retained packs stays";
  }
  CheckReport check = Check();
  EXPECT_FALSE(check.HasErrors()) << check.problems.front().message;
  ExpectRestoresExactly(1);
  ExpectRestoresExactly(2);

  // The retention is over: the next prune deletes them and the marker.
  ASSERT_OK_AND_ASSIGN(PruneReport after, Prune(PruneOptions{.max_unused_percent = 0}));
  EXPECT_EQ(after.packs_retained, 0u);
  EXPECT_GE(after.packs_swept, held.packs_retained);
  auto repo = arkiv::testing::OpenRepository(store_);
  ASSERT_OK_AND_ASSIGN(auto markers, repo::LoadPruneMarkers(*repo));
  EXPECT_TRUE(markers.empty());
  std::set<Id> used = UsedBlobs();
  std::multiset<Id> stored = StoredBlobs();
  EXPECT_EQ(std::set<Id>(stored.begin(), stored.end()), used);
  ExpectRestoresExactly(1);
  ExpectRestoresExactly(2);
}

// A store that says it retains objects and records what prune refreshes.
class RetainingStore : public storage::FaultStore {
 public:
  using FaultStore::FaultStore;
  storage::StoreCapabilities Capabilities() const override { return {.retains = true}; }
  Status RefreshRetention(std::string_view name) override {
    std::lock_guard lock(mutex_);
    refreshed_.insert(std::string(name));
    return OkStatus();
  }
  std::set<std::string> refreshed() {
    std::lock_guard lock(mutex_);
    return refreshed_;
  }

 private:
  std::mutex mutex_;
  std::set<std::string> refreshed_;
};

// Where the store retains, prune refreshes the retention of everything in
// use — so old packs new snapshots share stay protected — and of nothing it
// deletes or has marked.
TEST_F(PruneTest, RefreshesTheRetentionOfEverythingKept) {
  Forget(0);
  auto retaining = std::make_shared<RetainingStore>(store_);
  ASSERT_OK_AND_ASSIGN(auto repo, repo::Repository::Open(retaining, arkiv::testing::kTestPassword));
  PruneProgress progress;
  ASSERT_OK_AND_ASSIGN(PruneReport report,
                       RunPrune(*repo, PruneOptions{.max_unused_percent = 0, .safety_window_ns = 0}, progress));
  EXPECT_GE(report.packs_swept, 1u);
  std::set<std::string> expected;
  for (const auto& [name, size] : ListObjects(*store_)) {
    if (!name.starts_with("locks/") && !name.starts_with("prune/") && !name.starts_with("status/")) {
      expected.insert(name);
    }
  }
  for (const char* kind : {"config", "keys/", "snapshots/", "index/", "data/", "tree/"}) {
    EXPECT_TRUE(std::any_of(expected.begin(), expected.end(), [&](const std::string& n) { return n.starts_with(kind); }))
        << kind;
  }
  EXPECT_EQ(retaining->refreshed(), expected);
  EXPECT_EQ(report.retention_checked, expected.size());

  // A store that does not retain gets no refresh at all.
  ASSERT_OK_AND_ASSIGN(PruneReport plain, Prune(PruneOptions{}));
  EXPECT_EQ(plain.retention_checked, 0u);
}

TEST_F(PruneTest, GenerousUnusedBudgetRepacksNothing) {
  Forget(0);
  ASSERT_OK_AND_ASSIGN(PruneReport report, Prune(PruneOptions{.max_unused_percent = 1000}));
  EXPECT_EQ(report.packs_repacked, 0u);
  EXPECT_EQ(report.packs_written, 0u);
  EXPECT_GT(report.bytes_unused_after, 0u);
  EXPECT_TRUE(Check().problems.empty());
  ExpectRestoresExactly(1);
  ExpectRestoresExactly(2);
}

TEST_F(PruneTest, DryRunChangesNothingAndPlansWhatARealRunDoes) {
  Forget(0);
  auto before = ListObjects(*store_);
  ASSERT_OK_AND_ASSIGN(PruneReport dry, Prune(PruneOptions{.max_unused_percent = 0, .dry_run = true}));
  EXPECT_EQ(ListObjects(*store_), before);
  EXPECT_GT(dry.packs_deleted + dry.packs_repacked, 0u);

  ASSERT_OK_AND_ASSIGN(PruneReport real, Prune(PruneOptions{.max_unused_percent = 0}));
  EXPECT_EQ(dry.packs_before, real.packs_before);
  EXPECT_EQ(dry.packs_deleted, real.packs_deleted);
  EXPECT_EQ(dry.packs_repacked, real.packs_repacked);
  EXPECT_EQ(dry.blobs_used, real.blobs_used);
  EXPECT_EQ(dry.blobs_unused, real.blobs_unused);
  EXPECT_EQ(dry.blobs_repacked, real.blobs_repacked);
  EXPECT_EQ(dry.bytes_unused_after, real.bytes_unused_after);
}

TEST_F(PruneTest, OrphanPacksAreRemoved) {
  auto repo = arkiv::testing::OpenRepository(store_);
  repo::PackWriter writer(repo::BlobType::kData);
  Bytes data = ToBytes("orphan");
  writer.Add(repo::SealBlob(repo->key(), repo::BlobType::kData, repo->BlobId(data), data, 3));
  std::vector<repo::BlobEntry> entries;
  Bytes pack = writer.Finish(repo->key(), &entries);
  std::string orphan = repo::PackName(repo::BlobType::kData, crypto::Sha256(pack));
  ASSERT_OK(store_->Put(orphan, pack));

  ASSERT_OK_AND_ASSIGN(PruneReport dry, Prune(PruneOptions{.dry_run = true}));
  EXPECT_EQ(dry.packs_unindexed_deleted, 1u);
  EXPECT_TRUE(ListObjects(*store_).contains(orphan));

  ASSERT_OK_AND_ASSIGN(PruneReport report, Prune(PruneOptions{}));
  EXPECT_EQ(report.packs_unindexed_deleted, 1u);
  EXPECT_EQ(report.packs_deleted, 0u);
  EXPECT_FALSE(ListObjects(*store_).contains(orphan));
  EXPECT_TRUE(Check().problems.empty());
  for (int s = 0; s < 3; ++s) ExpectRestoresExactly(s);
}

TEST_F(PruneTest, DuplicateCopiesAreRemovedAndTheFirstKept) {
  // Store every blob of the last snapshot a second time, as a racing writer would.
  {
    auto repo = arkiv::testing::OpenRepository(store_);
    ASSERT_OK_AND_ASSIGN(auto record, repo->FindSnapshot(snapshots_[2].Hex()));
    repo::BlobSaver saver(*repo, repo::BlobSaverOptions{.ignore_existing = true});
    ASSERT_OK(WalkTree(*repo, record.snapshot.tree, "", [&](const std::string&, const repo::Node& node) {
      for (const Id& id : node.content) {
        auto data = repo->LoadBlob(id);
        EXPECT_TRUE(data.has_value());
        EXPECT_TRUE(saver.Save(repo::BlobType::kData, id, *data).has_value());
      }
      return true;
    }));
    ASSERT_OK(saver.Flush());
  }
  EXPECT_TRUE(Check().problems.empty());
  size_t used = UsedBlobs().size();
  EXPECT_GT(StoredBlobs().size(), used);

  ASSERT_OK_AND_ASSIGN(PruneReport report, Prune(PruneOptions{.max_unused_percent = 0}));
  EXPECT_GT(report.packs_deleted, 0u);
  EXPECT_EQ(StoredBlobs().size(), used);
  EXPECT_TRUE(Check().problems.empty());
  for (int s = 0; s < 3; ++s) ExpectRestoresExactly(s);
}

class PruneMissingIndexTest : public PruneTest, public ::testing::WithParamInterface<repo::BlobType> {};

// The index lost the packs of one blob type, though the packs are still
// stored: those packs look unindexed, and deleting them would destroy data
// the snapshots need. Prune must stop before deleting anything.
TEST_P(PruneMissingIndexTest, UsedBlobMissingFromTheIndexIsDataLossAndDeletesNothing) {
  auto repo = arkiv::testing::OpenRepository(store_);
  repo::IndexFile rewritten;
  repo->index().ForEachPack([&](const repo::IndexedPack& pack) {
    if (pack.blobs.front().type != GetParam()) rewritten.packs.push_back(pack);
  });
  std::vector<Id> old_files = repo->index().LoadedFiles();
  ASSERT_OK(repo->SaveFile(repo::FileKind::kIndex, rewritten.Serialize()));
  for (const Id& id : old_files) ASSERT_OK(repo->RemoveFile(repo::FileKind::kIndex, id));
  Forget(0);  // so that there is something prune would like to delete

  auto before = ListObjects(*store_);
  auto report = Prune(PruneOptions{.max_unused_percent = 0});
  EXPECT_TRUE(FailedWith(report, Code::kDataLoss));
  EXPECT_EQ(ListObjects(*store_), before);
}

INSTANTIATE_TEST_SUITE_P(BlobTypes, PruneMissingIndexTest,
                         ::testing::Values(repo::BlobType::kData, repo::BlobType::kTree),
                         [](const ::testing::TestParamInfo<repo::BlobType>& info) {
                           return info.param == repo::BlobType::kData ? "DataPacks" : "TreePacks";
                         });


// Prune's index rewrite cuts files at kMaxBlobsPerIndexFile blobs (a pack
// boundary), like the backup's: before, one file took everything it kept.
// 150,000 tiny blobs in 2 MiB packs; the newer snapshot uses the first
// 100,000, so forgetting the older one leaves whole packs unused.
TEST(PruneIndexTest, RewrittenIndexIsCutAtTheBlobLimit) {
  auto store = std::make_shared<storage::MemoryStore>();
  repo::InitOptions init = arkiv::testing::TestInitOptions();
  init.pack_size = 2u << 20;
  ASSERT_OK_AND_ASSIGN(auto repo, repo::Repository::Init(store, arkiv::testing::kTestPassword, init));
  constexpr uint32_t kBlobs = 150'000, kKept = 100'000;
  std::vector<Id> ids;
  std::vector<Id> snapshots;
  {
    repo::BlobSaver saver(*repo, repo::BlobSaverOptions{});
    for (uint32_t i = 0; i < kBlobs; ++i) {
      Bytes data(8);
      std::memcpy(data.data(), &i, sizeof(i));
      ids.push_back(repo->BlobId(data));
      ASSERT_OK(saver.Save(repo::BlobType::kData, ids.back(), data));
    }
    for (uint32_t count : {kBlobs, kKept}) {
      repo::Tree tree;
      repo::Node file;
      file.name = "f";
      file.size = uint64_t{count} * 8;
      file.content.assign(ids.begin(), ids.begin() + count);
      tree.nodes.push_back(std::move(file));
      Bytes bytes = tree.Serialize();
      Id tree_id = repo->BlobId(bytes);
      ASSERT_OK(saver.Save(repo::BlobType::kTree, tree_id, bytes));
      repo::Snapshot snap;
      snap.time_ns = 1 + count;
      snap.host = "h";
      snap.paths = {"/"};
      snap.tree = tree_id;
      ASSERT_OK(saver.Flush());
      ASSERT_OK_AND_ASSIGN(Id snap_id, repo->SaveFile(repo::FileKind::kSnapshot, snap.Serialize()));
      snapshots.push_back(snap_id);
    }
  }
  ASSERT_OK(repo->RemoveFile(repo::FileKind::kSnapshot, snapshots[0]));
  PruneOptions options;
  options.safety_window_ns = 0;
  options.max_unused_percent = 100;  // whole unused packs only: no repacking
  PruneProgress progress;
  ASSERT_OK_AND_ASSIGN(auto report, RunPrune(*repo, options, progress));
  EXPECT_GT(report.packs_swept, 0u);
  EXPECT_GE(report.index_files_written, 2u);

  ASSERT_OK_AND_ASSIGN(auto files, repo->ListFiles(repo::FileKind::kIndex));
  size_t total = 0;
  for (const Id& id : files) {
    ASSERT_OK_AND_ASSIGN(Bytes plain, repo->LoadFile(repo::FileKind::kIndex, id));
    ASSERT_OK_AND_ASSIGN(repo::IndexFile file, repo::IndexFile::Parse(plain));
    size_t blobs = 0;
    for (const auto& pack : file.packs) blobs += pack.blobs.size();
    EXPECT_TRUE(blobs <= repo::kMaxBlobsPerIndexFile || file.packs.size() == 1) << blobs;
    total += blobs;
  }
  EXPECT_GE(total, kKept + 1);  // the kept blobs and the kept tree (and what shares their packs)
  EXPECT_LT(total, kBlobs);
  auto fresh = arkiv::testing::OpenRepository(store);
  ASSERT_NE(fresh, nullptr);
  for (uint32_t i = 0; i < kKept; i += 4999) {
    ASSERT_OK_AND_ASSIGN(Bytes loaded, fresh->LoadBlob(ids[i]));
    Bytes want(8);
    std::memcpy(want.data(), &i, sizeof(i));
    EXPECT_EQ(loaded, want);
  }
  CheckProgress check_progress;
  ASSERT_OK_AND_ASSIGN(auto checked, RunCheck(*fresh, CheckOptions{.read_data = true}, check_progress));
  EXPECT_FALSE(checked.HasErrors());
}

}  // namespace
}  // namespace arkiv::engine
