#include "engine/check.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <set>

#include "crypto/sha256.h"
#include "engine/engine_test_util.h"
#include "engine/tree_walker.h"
#include "repo/blob_saver.h"
#include "repo/pack.h"
#include "storage/backends/memory_store.h"

namespace arkiv::engine {
namespace {

using arkiv::testing::CompressibleBytes;
using arkiv::testing::MakeDir;
using arkiv::testing::PseudoRandomBytes;
using arkiv::testing::TempDir;
using arkiv::testing::WriteFile;

class CheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_shared<storage::MemoryStore>();
    ASSERT_NE(arkiv::testing::InitRepository(store_), nullptr);
    std::string root = source_ / "data";
    MakeDir(root);
    MakeDir(root + "/sub");
    WriteFile(root + "/victim.bin", PseudoRandomBytes(400000, 1));
    WriteFile(root + "/other.bin", PseudoRandomBytes(300000, 2));
    WriteFile(root + "/sub/text.txt", CompressibleBytes(100000, 3));
    WriteFile(root + "/small", ToBytes("small"));
    auto backup = arkiv::testing::Backup(store_, arkiv::testing::BackupOf({root}));
    ASSERT_TRUE(backup.has_value()) << backup.error().ToString();
    snapshot_ = backup->snapshot_id;
    tree_ = backup->snapshot.tree;
  }

  CheckReport Check(bool read_data, const std::string& subset = "") {
    auto repo = repo::Repository::Open(store_, arkiv::testing::kTestPassword);
    EXPECT_TRUE(repo.has_value());
    CheckProgress progress;
    CheckOptions options;
    options.read_data = read_data;
    if (!subset.empty()) {
      auto parsed = ReadDataSubset::Parse(subset);
      EXPECT_TRUE(parsed.has_value()) << subset;
      options.subset = parsed.value_or(ReadDataSubset());
      options.seed = 7;
    }
    auto report = RunCheck(**repo, options, progress);
    EXPECT_TRUE(report.has_value()) << report.error().ToString();
    return report.value_or(CheckReport{});
  }

  // Where the first data blob of `path` (in the snapshot) is stored.
  repo::BlobLocation LocationOfFirstBlob(const std::string& path) {
    auto repo = arkiv::testing::OpenRepository(store_);
    auto node = FindNode(*repo, tree_, path);
    EXPECT_TRUE(node.has_value());
    auto where = repo->index().Find(node->content.front());
    EXPECT_TRUE(where.has_value());
    return *where;
  }

  std::string Affected(const std::string& path) { return "snapshot " + snapshot_.Short() + ": " + path; }

  static std::vector<const CheckProblem*> OfKind(const CheckReport& report, std::string_view kind) {
    std::vector<const CheckProblem*> found;
    for (const auto& p : report.problems) {
      if (p.kind == kind) found.push_back(&p);
    }
    return found;
  }

  static std::string Describe(const CheckReport& report) {
    std::string out;
    for (const auto& p : report.problems) out += p.kind + ": " + p.message + "\n";
    return out;
  }

  TempDir source_;
  std::shared_ptr<storage::MemoryStore> store_;
  Id snapshot_, tree_;
};

TEST_F(CheckTest, CleanRepositoryHasNoProblems) {
  CheckReport structure = Check(false);
  EXPECT_TRUE(structure.problems.empty()) << Describe(structure);
  EXPECT_FALSE(structure.HasErrors());
  EXPECT_EQ(structure.snapshots, 1u);
  EXPECT_GT(structure.packs, 2u);
  EXPECT_EQ(structure.bytes_read, 0u);

  CheckReport full = Check(true);
  EXPECT_TRUE(full.problems.empty()) << Describe(full);
  EXPECT_EQ(full.blobs_read, full.blobs);
  uint64_t pack_bytes = 0;
  for (const auto& [name, size] : arkiv::testing::ListObjects(*store_)) {
    if (name.starts_with("data/") || name.starts_with("tree/")) pack_bytes += size;
  }
  EXPECT_EQ(full.bytes_read, pack_bytes);
}

TEST_F(CheckTest, MissingPackIsNamedWithTheFilesItAffects) {
  repo::BlobLocation where = LocationOfFirstBlob("data/victim.bin");
  std::string pack = repo::PackName(repo::BlobType::kData, where.pack);
  // Every file with a blob in that pack, and only those, is affected.
  std::set<std::string> expected;
  {
    auto repo = arkiv::testing::OpenRepository(store_);
    ASSERT_OK(WalkTree(*repo, tree_, "", [&](const std::string& path, const repo::Node& node) {
      for (const Id& id : node.content) {
        if (repo->index().Find(id)->pack == where.pack) expected.insert(Affected(path));
      }
      return true;
    }));
  }
  ASSERT_TRUE(expected.contains(Affected("data/victim.bin")));
  ASSERT_OK(store_->Remove(pack));

  CheckReport report = Check(false);
  EXPECT_TRUE(report.HasErrors());
  auto missing = OfKind(report, "missing pack");
  ASSERT_EQ(missing.size(), 1u) << Describe(report);
  EXPECT_EQ(missing[0]->object, pack);
  EXPECT_NE(missing[0]->message.find(pack), std::string::npos);
  EXPECT_FALSE(missing[0]->warning);
  const auto& affected = missing[0]->affected;
  EXPECT_EQ(std::set<std::string>(affected.begin(), affected.end()), expected);
  EXPECT_EQ(affected.size(), expected.size());  // each file once, however many of its blobs were there
  EXPECT_EQ(missing[0]->affected_total, expected.size());
  // Each blob of the pack is a problem of its own, naming its files.
  auto blobs = OfKind(report, "damaged blob");
  ASSERT_FALSE(blobs.empty());
  bool named = false;
  for (const auto* p : blobs) {
    EXPECT_EQ(p->object, pack);
    EXPECT_EQ(p->affected_total, 1u) << ::testing::PrintToString(p->affected) << p->message;
    if (p->blob == where.entry.id.Hex()) {
      named = true;
      EXPECT_EQ(p->affected, std::vector<std::string>{Affected("data/victim.bin")});
    }
  }
  EXPECT_TRUE(named);
}

TEST_F(CheckTest, FlippedByteIsFoundByReadDataAndNamesTheBlobAndFile) {
  repo::BlobLocation where = LocationOfFirstBlob("data/other.bin");
  std::string pack = repo::PackName(repo::BlobType::kData, where.pack);
  Bytes* bytes = store_->MutableObject(pack);
  ASSERT_NE(bytes, nullptr);
  (*bytes)[where.entry.offset + where.entry.length / 2] ^= 0x01;

  // Structure alone reads no pack, so it cannot see a flipped byte.
  EXPECT_FALSE(Check(false).HasErrors());

  CheckReport report = Check(true);
  EXPECT_TRUE(report.HasErrors());
  auto damaged_pack = OfKind(report, "damaged pack");
  ASSERT_EQ(damaged_pack.size(), 1u) << Describe(report);
  EXPECT_EQ(damaged_pack[0]->object, pack);
  EXPECT_EQ(damaged_pack[0]->affected, std::vector<std::string>{Affected("data/other.bin")});
  auto blobs = OfKind(report, "damaged blob");
  ASSERT_EQ(blobs.size(), 1u) << Describe(report);
  EXPECT_EQ(blobs[0]->object, pack);
  EXPECT_EQ(blobs[0]->blob, where.entry.id.Hex());
  EXPECT_EQ(blobs[0]->affected, std::vector<std::string>{Affected("data/other.bin")});
  EXPECT_EQ(blobs[0]->affected_total, 1u);
}

TEST_F(CheckTest, SlicesReadEveryPackOnceAndOnlyTheDamagedOnesSliceFindsIt) {
  repo::BlobLocation where = LocationOfFirstBlob("data/other.bin");
  std::string pack = repo::PackName(repo::BlobType::kData, where.pack);
  Bytes* bytes = store_->MutableObject(pack);
  ASSERT_NE(bytes, nullptr);
  (*bytes)[where.entry.offset + where.entry.length / 2] ^= 0x01;

  const uint64_t slices = 3;
  CheckReport full = Check(true);
  std::set<std::string> seen;
  uint64_t bytes_read = 0;
  for (uint64_t n = 1; n <= slices; ++n) {
    CheckReport part = Check(true, fmt::format("{}/{}", n, slices));
    bool holds_victim = false;
    for (const auto& name : part.packs_selected) {
      EXPECT_TRUE(seen.insert(name).second) << name << " read by two slices";
      holds_victim = holds_victim || name == pack;
    }
    EXPECT_EQ(part.packs_read, part.packs_selected.size());
    bytes_read += part.bytes_read;
    // Only the slice holding the damaged pack reports it; every slice still
    // checks the structure of all packs.
    EXPECT_EQ(part.HasErrors(), holds_victim) << "slice " << n << ": " << Describe(part);
    EXPECT_EQ(OfKind(part, "damaged pack").size(), holds_victim ? 1u : 0u);
    EXPECT_EQ(part.packs, full.packs);
  }
  EXPECT_EQ(seen.size(), full.packs);
  EXPECT_EQ(bytes_read, full.bytes_read);
}

TEST_F(CheckTest, PercentAndSizeSubsetsReadPartOfThePacks) {
  CheckReport full = Check(true);
  ASSERT_GT(full.packs, 2u);
  CheckReport one = Check(true, "1%");
  EXPECT_EQ(one.packs_read, 1u);  // at least one pack, however small the share
  CheckReport all = Check(true, "100%");
  EXPECT_EQ(all.packs_read, full.packs);
  EXPECT_EQ(all.bytes_read, full.bytes_read);
  CheckReport sized = Check(true, fmt::format("{}", full.bytes_read / 2));
  EXPECT_GT(sized.packs_read, 0u);
  EXPECT_LT(sized.packs_read, full.packs);
  EXPECT_LE(sized.bytes_read, full.bytes_read / 2);
  EXPECT_FALSE(sized.HasErrors()) << Describe(sized);
}

TEST_F(CheckTest, DamagedTreeBlobIsReportedWithItsDirectory) {
  auto repo = arkiv::testing::OpenRepository(store_);
  ASSERT_OK_AND_ASSIGN(repo::Node sub, FindNode(*repo, tree_, "data/sub"));
  auto where = repo->index().Find(sub.subtree);
  ASSERT_TRUE(where.has_value());
  std::string pack = repo::PackName(repo::BlobType::kTree, where->pack);
  (*store_->MutableObject(pack))[where->entry.offset + 20] ^= 0x01;

  CheckReport report = Check(true);
  EXPECT_TRUE(report.HasErrors());
  auto trees = OfKind(report, "damaged tree");
  ASSERT_EQ(trees.size(), 1u) << Describe(report);
  EXPECT_EQ(trees[0]->affected, std::vector<std::string>{Affected("data/sub")});
}

TEST_F(CheckTest, UnindexedPackIsOnlyAWarning) {
  auto repo = arkiv::testing::OpenRepository(store_);
  repo::PackWriter writer(repo::BlobType::kData);
  Bytes data = ToBytes("left behind by an interrupted backup");
  writer.Add(repo::SealBlob(repo->key(), repo::BlobType::kData, repo->BlobId(data), data, 3));
  std::vector<repo::BlobEntry> entries;
  Bytes pack = writer.Finish(repo->key(), &entries);
  std::string name = repo::PackName(repo::BlobType::kData, crypto::Sha256(pack));
  ASSERT_OK(store_->Put(name, pack));

  for (bool read_data : {false, true}) {
    CheckReport report = Check(read_data);
    EXPECT_FALSE(report.HasErrors()) << Describe(report);
    ASSERT_EQ(report.problems.size(), 1u) << Describe(report);
    EXPECT_EQ(report.problems[0].kind, "unindexed pack");
    EXPECT_TRUE(report.problems[0].warning);
    EXPECT_EQ(report.problems[0].object, name);
  }
}

// Two writers that opened the repository before either saved both store
// the same tree (the empty directory's, say): one blob in two packs.
TEST_F(CheckTest, BlobStoredTwiceByRacingWritersIsNoProblem) {
  auto first = arkiv::testing::OpenRepository(store_);
  auto second = arkiv::testing::OpenRepository(store_);
  Bytes empty_tree = repo::Tree{}.Serialize();
  Id id = first->BlobId(empty_tree);
  for (repo::Repository* writer : {first.get(), second.get()}) {
    repo::BlobSaver saver(*writer, repo::BlobSaverOptions{});
    ASSERT_OK_AND_ASSIGN(bool added, saver.Save(repo::BlobType::kTree, id, empty_tree));
    EXPECT_TRUE(added);
    ASSERT_OK(saver.Flush());
  }
  for (bool read_data : {false, true}) {
    CheckReport report = Check(read_data);
    EXPECT_TRUE(report.problems.empty()) << Describe(report);
  }
}

TEST_F(CheckTest, LostIndexMakesEveryBlobMissing) {
  auto repo = arkiv::testing::OpenRepository(store_);
  for (const Id& id : repo->index().LoadedFiles()) ASSERT_OK(repo->RemoveFile(repo::FileKind::kIndex, id));
  CheckReport report = Check(false);
  EXPECT_TRUE(report.HasErrors());
  auto missing = OfKind(report, "missing blob");
  ASSERT_EQ(missing.size(), 1u) << Describe(report);  // the root tree: nothing below it can be read
  EXPECT_EQ(missing[0]->blob, tree_.Hex());
  EXPECT_FALSE(OfKind(report, "unindexed pack").empty());  // the packs are still there
}

TEST_F(CheckTest, TruncatedPackHasTheWrongSize) {
  repo::BlobLocation where = LocationOfFirstBlob("data/victim.bin");
  std::string pack = repo::PackName(repo::BlobType::kData, where.pack);
  store_->MutableObject(pack)->resize(100);
  CheckReport report = Check(false);
  auto size = OfKind(report, "pack size");
  ASSERT_EQ(size.size(), 1u) << Describe(report);
  EXPECT_EQ(size[0]->object, pack);
  CheckReport full = Check(true);
  EXPECT_FALSE(OfKind(full, "damaged blob").empty());
  EXPECT_FALSE(OfKind(full, "damaged pack header").empty());
}

TEST_F(CheckTest, DamagedSnapshotAndIndexFilesAreReported) {
  Bytes* snapshot = store_->MutableObject(repo::FileName(repo::FileKind::kSnapshot, snapshot_));
  ASSERT_NE(snapshot, nullptr);
  (*snapshot)[10] ^= 1;
  CheckReport report = Check(false);
  auto damaged = OfKind(report, "damaged snapshot");
  ASSERT_EQ(damaged.size(), 1u) << Describe(report);
  EXPECT_EQ(damaged[0]->object, repo::FileName(repo::FileKind::kSnapshot, snapshot_));

  auto repo = arkiv::testing::OpenRepository(store_);
  Id index = repo->index().LoadedFiles().front();
  (*store_->MutableObject(repo::FileName(repo::FileKind::kIndex, index)))[5] ^= 1;
  CheckReport again = Check(false);
  auto index_problems = OfKind(again, "damaged index");
  ASSERT_EQ(index_problems.size(), 1u) << Describe(again);
  EXPECT_EQ(index_problems[0]->object, repo::FileName(repo::FileKind::kIndex, index));
}

}  // namespace
}  // namespace arkiv::engine
