// Restore reads packs, not blobs: few requests, blobs handed to every file
// that needs them, and damage contained to the files it touches.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <set>

#include "engine/engine_test_util.h"
#include "engine/restore.h"
#include "engine/restore_plan.h"
#include "engine/tree_walker.h"
#include "storage/backends/memory_store.h"
#include "storage/wrappers/fault_store.h"

namespace arkiv::engine {
namespace {

using arkiv::testing::CompareTrees;
using arkiv::testing::MakeDir;
using arkiv::testing::PseudoRandomBytes;
using arkiv::testing::ReadFile;
using arkiv::testing::TempDir;
using arkiv::testing::WriteFile;
using storage::FaultRule;
using storage::FaultStore;
using storage::Operation;

class PackRestoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    memory_ = std::make_shared<storage::MemoryStore>();
    store_ = std::make_shared<FaultStore>(memory_);
    ASSERT_NE(arkiv::testing::InitRepository(store_), nullptr);
    root_ = source_ / "data";
    MakeDir(root_);
  }

  void BackUp() {
    auto backup = arkiv::testing::Backup(store_, arkiv::testing::BackupOf({root_}));
    ASSERT_TRUE(backup.has_value()) << backup.error().ToString();
    snapshot_ = backup->snapshot_id;
    repo_ = arkiv::testing::OpenRepository(store_);
    ASSERT_NE(repo_, nullptr);
    ASSERT_OK_AND_ASSIGN(auto record, repo_->FindSnapshot(snapshot_.Hex()));
    tree_ = record.snapshot.tree;
  }

  Result<RestoreResult> Restore(const std::string& target, bool verify = false) {
    return arkiv::testing::Restore(store_, snapshot_, target, {}, verify);
  }

  std::vector<Id> ContentOf(const std::string& rel) {
    auto node = FindNode(*repo_, tree_, rel);
    EXPECT_TRUE(node.has_value()) << rel;
    return node ? node->content : std::vector<Id>{};
  }

  size_t DataPackCount() {
    size_t n = 0;
    EXPECT_OK(memory_->List("data/", [&](const storage::ObjectInfo&) {
      n++;
      return OkStatus();
    }));
    return n;
  }

  // Counts the Gets of data packs from now on.
  storage::FaultStore::RuleId CountDataGets() {
    return store_->AddRule(FaultRule::Delay(std::chrono::nanoseconds(0)).On(Operation::kGet).WithPrefix("data/"));
  }

  TempDir source_, target_;
  std::string root_;
  std::shared_ptr<storage::MemoryStore> memory_;
  std::shared_ptr<FaultStore> store_;
  Id snapshot_, tree_;
  std::unique_ptr<repo::Repository> repo_;
};

TEST_F(PackRestoreTest, ManySmallFilesRestoreWithAFewReadsPerPack) {
  for (int d = 0; d < 4; ++d) {
    std::string dir = root_ + "/d" + std::to_string(d);
    MakeDir(dir);
    for (int i = 0; i < 100; ++i) {
      WriteFile(dir + "/f" + std::to_string(i), PseudoRandomBytes(500 + 37 * i, 1000 * d + i));
    }
  }
  WriteFile(root_ + "/big", PseudoRandomBytes(1500000, 7));
  BackUp();
  size_t packs = DataPackCount();
  size_t blobs = arkiv::testing::DataBlobCount(store_);
  ASSERT_GT(blobs, 400u);

  auto gets = CountDataGets();
  ASSERT_OK_AND_ASSIGN(RestoreResult result, Restore(target_.path()));
  EXPECT_TRUE(result.errors.empty());
  EXPECT_EQ(result.files, 401u);
  EXPECT_EQ(CompareTrees(root_, target_ / "data"), std::vector<std::string>{});
  // Test packs are 256 KiB: one run each (blobs is ~ 500, packs ~ 10).
  EXPECT_LE(store_->Fired(gets), packs) << blobs << " blobs in " << packs << " packs";
  EXPECT_LT(store_->Fired(gets) * 20, blobs);
}

TEST_F(PackRestoreTest, BlobSharedByFilesAndRepeatedInOneFileGoesEverywhere) {
  Bytes block = PseudoRandomBytes(200000, 3);
  Bytes thrice;
  for (int i = 0; i < 3; ++i) thrice.insert(thrice.end(), block.begin(), block.end());
  WriteFile(root_ + "/thrice", thrice);
  WriteFile(root_ + "/thrice-copy", thrice);
  WriteFile(root_ + "/once", block);
  BackUp();
  std::vector<Id> content = ContentOf("data/thrice");
  std::set<Id> distinct(content.begin(), content.end());
  ASSERT_LT(distinct.size(), content.size()) << "a blob should repeat within the file";
  ASSERT_EQ(ContentOf("data/thrice-copy"), content);

  ASSERT_OK_AND_ASSIGN(RestoreResult result, Restore(target_.path(), /*verify=*/true));
  EXPECT_TRUE(result.errors.empty());
  EXPECT_EQ(result.files, 3u);
  EXPECT_EQ(result.verified_files, 3u);
  EXPECT_EQ(ReadFile(target_ / "data/thrice"), thrice);
  EXPECT_EQ(ReadFile(target_ / "data/thrice-copy"), thrice);
  EXPECT_EQ(ReadFile(target_ / "data/once"), block);
}

class DamagedPackRestoreTest : public PackRestoreTest {
 protected:
  void SetUp() override {
    PackRestoreTest::SetUp();
    // Twenty small files and copies of three of them, one pack for all.
    for (int i = 0; i < 20; ++i) WriteFile(root_ + "/f" + std::to_string(i), PseudoRandomBytes(3000 + i, 50 + i));
    WriteFile(root_ + "/copy-of-f7", PseudoRandomBytes(3007, 57));
    WriteFile(root_ + "/copy-of-f8", PseudoRandomBytes(3008, 58));
    MakeDir(root_ + "/sub");
    WriteFile(root_ + "/sub/copy-of-f9", PseudoRandomBytes(3009, 59));
    BackUp();
  }

  repo::BlobLocation Where(const std::string& rel) {
    std::vector<Id> content = ContentOf(rel);
    EXPECT_EQ(content.size(), 1u);
    auto location = repo_->index().Find(content.at(0));
    EXPECT_TRUE(location.has_value());
    return *location;
  }

  // The files whose blobs are in `pack`.
  std::set<std::string> FilesIn(const Id& pack) {
    std::set<std::string> files;
    for (int i = 0; i < 20; ++i) {
      std::string rel = "data/f" + std::to_string(i);
      if (Where(rel).pack == pack) files.insert(rel);
    }
    for (std::string rel : {"data/copy-of-f7", "data/copy-of-f8", "data/sub/copy-of-f9"}) {
      if (Where(rel).pack == pack) files.insert(rel);
    }
    return files;
  }

  std::set<std::string> ErrorPaths(const RestoreResult& result) {
    std::set<std::string> paths;
    for (const auto& [path, error] : result.errors) paths.insert(path);
    return paths;
  }

  void ExpectRestored(const std::set<std::string>& except) {
    for (int i = 0; i < 20; ++i) {
      std::string rel = "data/f" + std::to_string(i);
      if (except.contains(rel)) {
        EXPECT_NE(::access((target_ / rel).c_str(), F_OK), 0) << rel << " left behind";
      } else {
        EXPECT_EQ(ReadFile(target_ / rel), PseudoRandomBytes(3000 + i, 50 + i)) << rel;
      }
    }
  }
};

TEST_F(DamagedPackRestoreTest, ACorruptBlobFailsExactlyTheFilesThatHoldIt) {
  repo::BlobLocation where = Where("data/f8");
  ASSERT_EQ(Where("data/f3").pack, where.pack) << "the test wants the files in one pack";
  Bytes* pack = memory_->MutableObject(repo::PackName(repo::BlobType::kData, where.pack));
  ASSERT_NE(pack, nullptr);
  (*pack)[where.entry.offset + where.entry.length / 2] ^= 0x20;

  auto gets = CountDataGets();
  ASSERT_OK_AND_ASSIGN(RestoreResult result, Restore(target_.path()));
  EXPECT_EQ(ErrorPaths(result), (std::set<std::string>{"data/copy-of-f8", "data/f8"}));
  for (const auto& [path, error] : result.errors) {
    EXPECT_EQ(error.code(), Code::kDataLoss) << path;
    // Names the store and the pack.
    EXPECT_NE(error.message().find(memory_->Location()), std::string::npos) << error.message();
    EXPECT_NE(error.message().find(where.pack.Hex()), std::string::npos) << error.message();
  }
  ExpectRestored({"data/f8"});
  EXPECT_EQ(ReadFile(target_ / "data/copy-of-f7"), PseudoRandomBytes(3007, 57));
  EXPECT_NE(::access((target_ / "data/copy-of-f8").c_str(), F_OK), 0);
  // The run, then the damaged blob once more on its own.
  EXPECT_EQ(store_->Fired(gets), DataPackCount() + 1);
}

TEST_F(DamagedPackRestoreTest, AFailedPackReadFailsItsFilesAndTheOthersRestore) {
  // A second pack beside the first, so that something is left to restore.
  WriteFile(root_ + "/other", PseudoRandomBytes(600000, 99));
  BackUp();
  Id failing = Where("data/f0").pack;
  ASSERT_NE(repo_->index().Find(ContentOf("data/other").back())->pack, failing);
  std::set<std::string> expected = FilesIn(failing);
  ASSERT_FALSE(expected.empty());

  store_->AddRule(FaultRule::Fail(Code::kUnavailable).On(Operation::kGet).Containing(failing.Hex()));
  auto gets = CountDataGets();
  ASSERT_OK_AND_ASSIGN(RestoreResult result, Restore(target_.path()));
  EXPECT_EQ(ErrorPaths(result), expected);
  for (const auto& [path, error] : result.errors) {
    EXPECT_EQ(error.code(), Code::kUnavailable) << path;
    EXPECT_NE(error.message().find(failing.Hex()), std::string::npos) << error.message();
  }
  ExpectRestored(expected);
  EXPECT_EQ(ReadFile(target_ / "data/other"), PseudoRandomBytes(600000, 99));
  // One read of the failing pack (no read per blob after it), one per run of the rest.
  EXPECT_LE(store_->Fired(gets), DataPackCount() + 2);
}

TEST_F(DamagedPackRestoreTest, ATruncatedPackStillGivesTheBlobsBeforeTheCut) {
  repo::BlobLocation last = Where("data/f0");
  for (int i = 1; i < 20; ++i) {
    auto w = Where("data/f" + std::to_string(i));
    ASSERT_EQ(w.pack, last.pack);
    if (w.entry.offset > last.entry.offset) last = w;
  }
  Bytes* pack = memory_->MutableObject(repo::PackName(repo::BlobType::kData, last.pack));
  ASSERT_NE(pack, nullptr);
  pack->resize(last.entry.offset + 10);
  std::set<std::string> cut;
  for (const std::string rel : {"data/f0",
                                "data/f1",
                                "data/f2",
                                "data/f3",
                                "data/f4",
                                "data/f5",
                                "data/f6",
                                "data/f7",
                                "data/f8",
                                "data/f9",
                                "data/f10",
                                "data/f11",
                                "data/f12",
                                "data/f13",
                                "data/f14",
                                "data/f15",
                                "data/f16",
                                "data/f17",
                                "data/f18",
                                "data/f19",
                                "data/copy-of-f7",
                                "data/copy-of-f8",
                                "data/sub/copy-of-f9"}) {
    if (Where(rel).entry.offset == last.entry.offset) cut.insert(rel);
  }

  ASSERT_OK_AND_ASSIGN(RestoreResult result, Restore(target_.path()));
  EXPECT_EQ(ErrorPaths(result), cut);
  ExpectRestored(cut);
}

TEST_F(PackRestoreTest, EmptyFilesAreCreatedWithTheirMetadata) {
  WriteFile(root_ + "/empty", Bytes{}, 0640);
  MakeDir(root_ + "/sub");
  WriteFile(root_ + "/sub/empty2", Bytes{}, 0600);
  WriteFile(root_ + "/full", PseudoRandomBytes(1000, 1));
  arkiv::testing::SetMtime(root_ + "/empty", 1'600'000'000'123'456'789);
  arkiv::testing::SetMtime(root_ + "/sub", 1'600'000'000'000'000'000);
  BackUp();
  ASSERT_OK_AND_ASSIGN(RestoreResult result, Restore(target_.path(), /*verify=*/true));
  EXPECT_TRUE(result.errors.empty());
  EXPECT_EQ(result.files, 3u);
  EXPECT_EQ(result.verified_files, 3u);
  EXPECT_EQ(CompareTrees(root_, target_ / "data"), std::vector<std::string>{});
}

TEST_F(PackRestoreTest, ZerosStayHolesWhenTheZeroBlobRepeats) {
  // Zeros chunk into one blob repeated through the file.
  Bytes sparse(3 << 20, 0);
  Bytes head = PseudoRandomBytes(5000, 4);
  std::copy(head.begin(), head.end(), sparse.begin());
  WriteFile(root_ + "/sparse", sparse);
  BackUp();
  std::vector<Id> content = ContentOf("data/sparse");
  ASSERT_LT(std::set<Id>(content.begin(), content.end()).size(), content.size());
  ASSERT_OK_AND_ASSIGN(RestoreResult result, Restore(target_.path()));
  EXPECT_TRUE(result.errors.empty());
  EXPECT_EQ(ReadFile(target_ / "data/sparse"), sparse);
  struct stat st = arkiv::testing::Lstat(target_ / "data/sparse");
  EXPECT_LT(uint64_t(st.st_blocks) * 512, uint64_t(1) << 20) << "allocated " << st.st_blocks * 512;
}

// --- the plan on its own ----------------------------------------------------

repo::BlobEntry Entry(uint8_t tag, uint32_t offset, uint32_t length) {
  std::array<uint8_t, Id::kSize> bytes{};
  bytes[0] = tag;
  repo::BlobEntry e;
  e.id = Id(bytes);
  e.offset = offset;
  e.length = length;
  e.raw_length = length;
  return e;
}

Id PackId(uint8_t tag) {
  std::array<uint8_t, Id::kSize> bytes{};
  bytes[31] = tag;
  return Id(bytes);
}

TEST(RestorePlanTest, CoalescesNearBlobsOfAPackAndSplitsAtGapsSpansAndPacks) {
  repo::Index index;
  // Pack 1: a(0..100) b(100..200) [gap 1000] c(1200..1300) [gap 5000] d(6300..6400) e(6400..9400)
  index.AddPack(
      {PackId(1),
       20000,
       {Entry(1, 0, 100), Entry(2, 100, 100), Entry(3, 1200, 100), Entry(4, 6300, 100), Entry(5, 6400, 3000)}});
  index.AddPack({PackId(2), 20000, {Entry(6, 0, 100)}});
  auto id = [](uint8_t tag) { return Entry(tag, 0, 0).id; };
  // Files list blobs out of pack order, share them and repeat them.
  std::vector<Id> f0 = {id(4), id(1), id(6), id(1)};
  std::vector<Id> f1 = {id(3), id(2), id(5), id(1)};
  std::vector<Id> f2 = {};
  std::vector<Id> f3 = {id(2), id(9)};  // 9 is in no pack
  RunLimits limits{.max_gap = 2000, .max_span = 4000, .max_plain = 1 << 20};
  RestorePlan plan = PlanRestore(index, {&f0, &f1, &f2, &f3}, limits);

  ASSERT_EQ(plan.errors.size(), 1u);
  EXPECT_EQ(plan.errors[0].first, 3u);
  EXPECT_EQ(plan.errors[0].second.code(), Code::kNotFound);
  EXPECT_TRUE(plan.files[3].missing);
  EXPECT_EQ(plan.files[0].size, 400u);
  EXPECT_EQ(plan.files[0].pieces, 4u);
  EXPECT_EQ(plan.files[1].size, 3300u);
  EXPECT_EQ(plan.files[2].pieces, 0u);

  // Six distinct blobs, each once, in (pack, offset) order; pack 1 first
  // (f0 needs it first).
  ASSERT_EQ(plan.blobs.size(), 6u);
  std::vector<uint8_t> tags;
  for (const auto& b : plan.blobs) tags.push_back(b.entry.id.bytes()[0]);
  EXPECT_EQ(tags, (std::vector<uint8_t>{1, 2, 3, 4, 5, 6}));
  // Blob 1 goes to f0 twice (offsets 100 and 300) and to f1 at 3200.
  const PlannedBlob& a = plan.blobs[0];
  ASSERT_EQ(a.place_count, 3u);
  EXPECT_EQ(plan.places[a.first_place].file, 0u);
  EXPECT_EQ(plan.places[a.first_place].offset, 100u);
  EXPECT_EQ(plan.places[a.first_place + 1].offset, 300u);
  EXPECT_EQ(plan.places[a.first_place + 2].file, 1u);
  EXPECT_EQ(plan.places[a.first_place + 2].offset, 3200u);
  EXPECT_EQ(plan.places.size(), 8u);

  // a,b,c (gap 1000 ≤ 2000) | d (gap 5000) | e would make d's run 3100 ≤ 4000:
  // joins | pack 2.
  ASSERT_EQ(plan.runs.size(), 3u);
  EXPECT_EQ(plan.runs[0].offset, 0u);
  EXPECT_EQ(plan.runs[0].length, 1300u);
  EXPECT_EQ(plan.runs[0].blob_count, 3u);
  EXPECT_EQ(plan.runs[1].offset, 6300u);
  EXPECT_EQ(plan.runs[1].length, 3100u);
  EXPECT_EQ(plan.runs[1].blob_count, 2u);
  EXPECT_EQ(plan.packs[plan.runs[2].pack], PackId(2));

  // A smaller span splits d from e.
  limits.max_span = 3000;
  RestorePlan tight = PlanRestore(index, {&f0, &f1}, limits);
  ASSERT_EQ(tight.runs.size(), 4u);
  EXPECT_EQ(tight.runs[2].blob_count, 1u);
  EXPECT_EQ(tight.runs[2].length, 3000u);
}

}  // namespace
}  // namespace arkiv::engine
