// Rebalance (design.md §20.6): every move between policies and cloud sets
// keeps the data readable with the redundancy promised before and after,
// leaves no old layout behind, and an interrupted move changes nothing that
// matters and completes when run again.
#include "engine/rebalance.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "engine/clouds.h"
#include "engine/multi_cloud_test_util.h"
#include "repo/lock.h"

namespace arkiv::engine {
namespace {

using placement::ParsePolicy;
using namespace arkiv::testing;

class RebalanceTest : public MultiCloudTest {
 protected:
  static RebalanceOptions Plan(const std::string& policy, bool dry_run = false) {
    RebalanceOptions options;
    options.policy = *ParsePolicy(policy);
    options.dry_run = dry_run;
    return options;
  }

  Result<RebalanceReport> Run(const std::string& via, RebalanceOptions options = {}) {
    ASSIGN_OR_RETURN(auto repo, TryOpen(via));
    ASSIGN_OR_RETURN(auto set, RequireCloudSet(*repo));
    ASSIGN_OR_RETURN(auto lock, repo::RepositoryLock::Acquire(*repo, true));
    return Rebalance(*repo, set, options, Opener());
  }

  // Stages a change as `cloud add` / `cloud remove` do.
  void Stage(const std::string& via, const std::function<void(placement::PendingClouds&)>& change) {
    auto repo = Open(via);
    ASSERT_TRUE(repo);
    ASSERT_OK_AND_ASSIGN(auto set, RequireCloudSet(*repo));
    CloudSet next = set;
    next.generation++;
    next.pending = set.Target();
    change(*next.pending);
    ASSERT_OK(PublishCloudSet(*repo, next));
  }
};

TEST_F(RebalanceTest, ReplicateGrowsThenBecomesErasureCoded) {
  Init("replicate", {"a", "b"});
  BackupVia("a");
  Stage("a", [](auto& p) { p.clouds.push_back(Spec("c")); });
  EXPECT_EQ(CurrentSet("a").clouds.size(), 2u) << "staging changes nothing in use";
  ASSERT_OK_AND_ASSIGN(auto grown, Run("a"));
  EXPECT_TRUE(grown.published);
  EXPECT_EQ(grown.added, std::vector<std::string>{"c"});
  EXPECT_GT(grown.written, 0u);
  EXPECT_EQ(grown.removed, 0u);
  EXPECT_EQ(DataLayouts("c"), std::set<std::string>{"copy"});
  // Replicate over three: any two lost.
  Down("a");
  Down("b");
  ExpectRestores("c", "replicate over a, b, c with a and b out");
  Up("a");
  Up("b");

  uint64_t copy_bytes = 0;
  for (const auto& [name, size] : Objects("a")) copy_bytes += name.starts_with("data/") ? size : 0;
  BackupVia("b");  // a second snapshot, placed as replicas
  ASSERT_OK_AND_ASSIGN(auto coded, Run("b", Plan("ec:2+1")));
  EXPECT_TRUE(coded.published);
  EXPECT_GT(coded.removed, 0u);
  for (const char* c : {"a", "b", "c"}) EXPECT_EQ(DataLayouts(c), std::set<std::string>{"ec2+1"}) << c;
  uint64_t shard_bytes = 0;
  for (const auto& [name, size] : Objects("a")) shard_bytes += name.starts_with("data/") ? size : 0;
  EXPECT_LT(shard_bytes, copy_bytes * 6 / 10) << "a shard holds about half a pack";
  EXPECT_EQ(CurrentSet("c").policy.ToString(), "ec:2+1");
  for (const char* lost : {"a", "b", "c"}) {
    Down(lost);
    ExpectRestores(lost == std::string("a") ? "b" : "a", fmt::format("ec:2+1 with {} out", lost));
    Up(lost);
  }
  ASSERT_OK_AND_ASSIGN(auto again, Run("a"));
  EXPECT_FALSE(again.published);
  EXPECT_EQ(again.written + again.removed, 0u) << "a second run has nothing to do";
}

TEST_F(RebalanceTest, ErasureCodeWidensOverTwoNewClouds) {
  Init("ec:2+1", {"a", "b", "c"});
  BackupVia("a");
  Stage("a", [](auto& p) { p.clouds.push_back(Spec("d")); });
  Stage("b", [](auto& p) { p.clouds.push_back(Spec("e")); });
  ASSERT_OK_AND_ASSIGN(auto report, Run("c", Plan("ec:3+2")));
  EXPECT_EQ(report.added, (std::vector<std::string>{"d", "e"}));
  for (const char* c : {"a", "b", "c", "d", "e"}) EXPECT_EQ(DataLayouts(c), std::set<std::string>{"ec3+2"}) << c;
  // The metadata reached the new clouds: the repository opens through them.
  Down("a");
  Down("c");
  ExpectRestores("e", "ec:3+2 with a and c out");
  Wipe("b");
  Up("a");
  ExpectRestores("d", "ec:3+2 with b wiped and c out");
}

TEST_F(RebalanceTest, RemovedCloudIsLeftAloneAndNotNeeded) {
  Init("replicate", {"a", "b", "c"});
  BackupVia("a");
  auto before = Objects("b");
  Stage("a", [](auto& p) { std::erase_if(p.clouds, [](const CloudSpec& c) { return c.name == "b"; }); });
  ASSERT_OK_AND_ASSIGN(auto report, Run("a"));
  EXPECT_EQ(report.left, std::vector<std::string>{"b"});
  EXPECT_EQ(Objects("b").size(), before.size()) << "the removed cloud is not written to or deleted from";
  Down("b");
  ExpectRestores("c", "replicate over a, c; b out");
  EXPECT_EQ(CurrentSet("a").clouds.size(), 2u);
  Up("b");
  // Opening through the removed cloud finds the newer set on the others.
  EXPECT_EQ(CurrentSet("b").clouds.size(), 2u);
}

TEST_F(RebalanceTest, RemovingALostCloudReadsFromTheOthers) {
  Init("ec:2+1", {"a", "b", "c"});
  BackupVia("a");
  Down("c");  // lost for good
  Stage("a", [](auto& p) {
    p.clouds.pop_back();
    p.policy = *ParsePolicy("replicate");
  });
  ASSERT_OK_AND_ASSIGN(auto report, Run("a"));
  EXPECT_EQ(report.left, std::vector<std::string>{"c"});
  for (const char* c : {"a", "b"}) EXPECT_EQ(DataLayouts(c), std::set<std::string>{"copy"}) << c;
  Down("a");
  ExpectRestores("b", "replicate over a, b with a out (c gone)");
}

TEST_F(RebalanceTest, InterruptedMoveKeepsTheOldLayoutAndResumes) {
  Init("ec:2+1", {"a", "b", "c"});
  BackupVia("a");
  Stage("a", [](auto& p) {
    p.clouds.push_back(Spec("d"));
    p.clouds.push_back(Spec("e"));
  });
  auto old_a = Objects("a");
  // Cloud e fails part-way through.
  Cloud("e").AddRule(
      FaultRule::Fail(Code::kUnavailable).On(storage::Operation::kPut).WithPrefix("data/").Times(FaultRule::kAlways));
  auto failed = Run("a", Plan("ec:3+2"));
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code(), Code::kUnavailable);
  EXPECT_NE(failed.error().message().find("unchanged"), std::string::npos) << failed.error().message();
  Up("e");
  CloudSet set = CurrentSet("a");
  EXPECT_EQ(set.clouds.size(), 3u);
  EXPECT_TRUE(set.pending);
  for (const auto& [name, size] : old_a) EXPECT_TRUE(Objects("a").contains(name)) << name << " was removed";
  Wipe("b");
  ExpectRestores("c", "the old ec:2+1 layout still serves with b wiped");
  // Run again: b is rebuilt as part of the new layout, from a and c.
  ASSERT_OK_AND_ASSIGN(auto done, Run("a", Plan("ec:3+2")));
  EXPECT_TRUE(done.published);
  for (const char* c : {"a", "b", "c", "d", "e"}) EXPECT_EQ(DataLayouts(c), std::set<std::string>{"ec3+2"}) << c;
  Down("a");
  Down("d");
  ExpectRestores("e", "ec:3+2 after the resumed move, a and d out");
}

TEST_F(RebalanceTest, DryRunChangesNothingAndBadTargetsAreRefused) {
  Init("replicate", {"a", "b", "c"});
  BackupVia("a");
  std::map<std::string, std::map<std::string, uint64_t>> before;
  for (const char* c : {"a", "b", "c"}) before[c] = Objects(c);
  ASSERT_OK_AND_ASSIGN(auto plan, Run("a", Plan("ec:2+1", true)));
  EXPECT_TRUE(plan.published);
  EXPECT_GT(plan.written, 0u);
  EXPECT_GT(plan.removed, 0u);
  for (const char* c : {"a", "b", "c"}) EXPECT_EQ(Objects(c), before[c]) << c;

  auto wrong = Run("a", Plan("ec:3+2"));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code(), Code::kInvalidArgument);
  EXPECT_NE(wrong.error().message().find("needs exactly 5 clouds"), std::string::npos) << wrong.error().message();

  Down("b");
  auto down = Run("a", Plan("ec:2+1"));
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().code(), Code::kUnavailable);
  EXPECT_NE(down.error().message().find("b"), std::string::npos) << down.error().message();
  Up("b");
  for (const char* c : {"a", "b", "c"}) EXPECT_EQ(Objects(c).size(), before[c].size()) << c;
}

}  // namespace
}  // namespace arkiv::engine
