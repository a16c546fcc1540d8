// Remove debt end to end (design.md §20.3–§20.5): a forget and a prune while
// one cloud fails every remove leave copies there; no reader sees them again
// (not even a damaged one), and repair removes them once the cloud is back,
// until no debt is left.
#include <gtest/gtest.h>

#include "engine/check.h"
#include "engine/cloud_audit.h"
#include "engine/cloud_repair.h"
#include "engine/multi_cloud_test_util.h"
#include "engine/prune.h"
#include "repo/layout.h"
#include "storage/wrappers/operation.h"

namespace arkiv::engine {
namespace {

using namespace arkiv::testing;

class RemoveDebtTest : public MultiCloudTest, public ::testing::WithParamInterface<std::string> {
 protected:
  // Objects of `cloud` whose names start with `prefix`.
  size_t Count(const std::string& cloud, std::string_view prefix) {
    size_t n = 0;
    for (const auto& [name, size] : Objects(cloud)) n += name.starts_with(prefix);
    return n;
  }
  std::vector<Id> Snapshots(const std::string& via) {
    auto repo = Open(via);
    if (!repo) return {};
    auto ids = repo->ListFiles(repo::FileKind::kSnapshot);
    EXPECT_TRUE(ids) << ids.error().ToString();
    return ids ? *ids : std::vector<Id>{};
  }
};

TEST_P(RemoveDebtTest, AForgottenSnapshotStaysForgottenAndRepairRemovesItsLeftovers) {
  Init(GetParam(), {"a", "b", "c"});
  BackupVia("a");
  WriteFile(source_ / "src/big.bin", PseudoRandomBytes(700 * 1024, 11));  // the first snapshot's packs go unused
  BackupVia("b");
  Id forgotten = snapshots_[0];
  snapshots_.erase(snapshots_.begin());
  std::string snapshot_name = repo::FileName(repo::FileKind::kSnapshot, forgotten);

  // Cloud c fails every remove, as a cloud that resets them would after retries.
  Cloud("c").AddRule(FaultRule::Fail(Code::kUnavailable).On(storage::Operation::kRemove));
  {
    auto repo = Open("a");
    ASSERT_TRUE(repo);
    ASSERT_OK(repo->RemoveFile(repo::FileKind::kSnapshot, forgotten));
    EXPECT_EQ(PlacementOf(*repo)->stats().missed_removes, 1u);
  }
  ASSERT_TRUE(Memory("c").Stat(snapshot_name)) << "cloud c keeps its copy";
  EXPECT_FALSE(Memory("a").Stat(snapshot_name));
  // The copy left does not come back, through any cloud's URL, even damaged.
  ASSERT_OK(Memory("c").Put(snapshot_name, Bytes(100, 7)));
  for (const std::string via : {"a", "b", "c"}) EXPECT_EQ(Snapshots(via), snapshots_) << "opened through " << via;

  // Prune after it, with cloud c still failing removes: the first
  // snapshot's packs, the old index files and the marker stay there too.
  {
    auto repo = Open("b");
    ASSERT_TRUE(repo);
    ASSERT_OK(PlacementOf(*repo)->RequireAllClouds("prune"));
    PruneProgress progress;
    ASSERT_OK_AND_ASSIGN(auto pruned, RunPrune(*repo, {.max_unused_percent = 0, .safety_window_ns = 0}, progress));
    EXPECT_GT(pruned.packs_swept, 0u);
    EXPECT_GT(pruned.index_files_removed, 0u);
    EXPECT_GT(PlacementOf(*repo)->stats().missed_removes, 0u);
  }
  EXPECT_GT(Count("c", "data/"), Count("a", "data/")) << "cloud c keeps the swept packs";
  EXPECT_GT(Count("c", "index/"), Count("a", "index/")) << "cloud c keeps the superseded index files";
  {
    // Check sees a clean repository; the audit shows the leftovers as
    // remove debt, none missing, corrupt or unexpected.
    auto repo = Open("c");
    ASSERT_TRUE(repo);
    CheckProgress progress;
    ASSERT_OK_AND_ASSIGN(auto report, RunCheck(*repo, {.read_data = true}, progress));
    for (const auto& p : report.problems) ADD_FAILURE() << p.kind << ": " << p.object << ": " << p.message;
    ASSERT_OK_AND_ASSIGN(auto audit, AuditClouds(*repo, *PlacementOf(*repo), {"", true}));
    EXPECT_EQ(audit.Count(CloudFinding::Kind::kMissing) + audit.Count(CloudFinding::Kind::kCorrupt) +
                  audit.Count(CloudFinding::Kind::kUnexpected),
              0u);
    EXPECT_GT(audit.Count(CloudFinding::Kind::kLeftover), 2u);
    for (const auto& f : audit.findings) EXPECT_EQ(f.cloud, 2u) << f.object;
    EXPECT_GT(audit.CountDebt(placement::DebtOp::kRemove), 2u);
    // Repair while cloud c still fails: nothing removed, the debt stays.
    ASSERT_OK_AND_ASSIGN(auto repaired, RepairClouds(*PlacementOf(*repo), audit, false));
    EXPECT_EQ(repaired.removed, 0u);
    EXPECT_FALSE(repaired.failed.empty());
    EXPECT_EQ(repaired.records_removed, 0u);
  }
  ExpectRestores("a", "after forget and prune");

  // Cloud c is back: repair removes what it kept, and the debt drains.
  Up("c");
  {
    auto repo = Open("a");
    ASSERT_TRUE(repo);
    auto placement = PlacementOf(*repo);
    ASSERT_OK_AND_ASSIGN(auto audit, AuditClouds(*repo, *placement, {"", false}));
    ASSERT_OK_AND_ASSIGN(auto repaired, RepairClouds(*placement, audit, false));
    EXPECT_EQ(repaired.failed, std::vector<std::string>{});
    EXPECT_EQ(repaired.removed, audit.Count(CloudFinding::Kind::kLeftover));
    EXPECT_EQ(repaired.records_removed, audit.debt_records.size());
    ASSERT_OK_AND_ASSIGN(auto after, AuditClouds(*repo, *placement, {"", true}));
    EXPECT_EQ(after.findings.size(), 0u) << engine::FindingKindName(after.findings.front().kind) << " "
                                         << after.findings.front().object;
    EXPECT_EQ(after.debt_records.size(), 0u);
  }
  EXPECT_FALSE(Memory("c").Stat(snapshot_name));
  // Cloud c holds what the others hold (its own shards under ec).
  auto names_but_data = [&](const std::string& cloud) {
    std::set<std::string> names;
    for (const auto& [name, size] : Objects(cloud)) {
      if (!name.starts_with("data/")) names.insert(name);
    }
    return names;
  };
  EXPECT_EQ(names_but_data("c"), names_but_data("a"));
  EXPECT_EQ(Count("c", "data/"), Count("a", "data/"));
  for (const std::string via : {"a", "c"}) EXPECT_EQ(Snapshots(via), snapshots_);
  ExpectRestores("c", "after repair");
}

INSTANTIATE_TEST_SUITE_P(Policies, RemoveDebtTest, ::testing::Values("replicate", "ec:2+1"),
                         [](const auto& info) { return info.param == "replicate" ? "replicate" : "ec2_1"; });

}  // namespace
}  // namespace arkiv::engine
