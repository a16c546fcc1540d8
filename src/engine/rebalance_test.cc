// Rebalance (design.md §20.6): every move between policies and cloud sets
// keeps the data readable with the redundancy promised before and after,
// leaves no old layout behind, and an interrupted move changes nothing that
// matters and completes when run again.
#include "engine/rebalance.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "engine/clouds.h"
#include "engine/engine_test_util.h"
#include "placement/shard_name.h"
#include "repo/lock.h"
#include "storage/backends/memory_store.h"
#include "storage/wrappers/fault_store.h"

namespace arkiv::engine {
namespace {

using placement::CloudSet;
using placement::CloudSpec;
using placement::ParsePolicy;
using storage::FaultRule;
using storage::FaultStore;
using storage::MemoryStore;
using namespace arkiv::testing;

class RebalanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MakeDir(source_ / "src");
    WriteFile(source_ / "src/big.bin", PseudoRandomBytes(900 * 1024, 1));
    WriteFile(source_ / "src/small.txt", CompressibleBytes(40 * 1024, 2));
    WriteFile(source_ / "src/other.bin", PseudoRandomBytes(300 * 1024, 3));
  }

  // Each cloud is a memory store behind a fault store, by URL.
  FaultStore& Cloud(const std::string& name) {
    auto& slot = clouds_[name];
    if (!slot.memory) {
      slot.memory = std::make_shared<MemoryStore>(name);
      slot.faults = std::make_shared<FaultStore>(slot.memory);
    }
    return *slot.faults;
  }
  MemoryStore& Memory(const std::string& name) {
    Cloud(name);
    return *clouds_[name].memory;
  }
  StoreOpener Opener() {
    return [this](const CloudSpec& c) -> Result<std::shared_ptr<storage::Store>> {
      Cloud(c.url);
      return std::shared_ptr<storage::Store>(clouds_[c.url].faults);
    };
  }
  static RebalanceOptions Plan(const std::string& policy, bool dry_run = false) {
    RebalanceOptions options;
    options.policy = *ParsePolicy(policy);
    options.dry_run = dry_run;
    return options;
  }
  static CloudSpec Spec(const std::string& name) { return CloudSpec{name, name, 1.0}; }

  void Init(const std::string& policy, const std::vector<std::string>& names) {
    CloudSet set;
    set.policy = *ParsePolicy(policy);
    for (const auto& n : names) set.clouds.push_back(Spec(n));
    ASSERT_OK_AND_ASSIGN(auto placement, OpenClouds(set, Opener()));
    repo::InitOptions options = TestInitOptions();
    options.clouds = set.Serialize();
    ASSERT_OK(repo::Repository::Init(placement, kTestPassword, options));
  }

  // Opens the repository through cloud `via`, on all its clouds, index loaded.
  std::unique_ptr<repo::Repository> Open(const std::string& via) {
    auto repo = repo::Repository::Open(std::shared_ptr<storage::Store>(clouds_[via].faults), kTestPassword);
    EXPECT_TRUE(repo) << repo.error().ToString();
    if (!repo) return nullptr;
    auto attached = AttachClouds(**repo, Opener());
    EXPECT_TRUE(attached) << attached.error().ToString();
    EXPECT_OK((*repo)->LoadIndex());
    return std::move(*repo);
  }

  void BackupVia(const std::string& via) {
    auto repo = Open(via);
    ASSERT_TRUE(repo);
    BackupProgress progress;
    ASSERT_OK_AND_ASSIGN(auto result, RunBackup(*repo, BackupOf({source_ / "src"}), progress, nullptr));
    snapshots_.push_back(result.snapshot_id);
  }

  // Every snapshot restores byte-identical through cloud `via`.
  void ExpectRestores(const std::string& via, const std::string& why) {
    SCOPED_TRACE(why);
    auto repo = Open(via);
    ASSERT_TRUE(repo);
    for (const Id& id : snapshots_) {
      TempDir target;
      ASSERT_OK_AND_ASSIGN(auto record, repo->FindSnapshot(id.Hex()));
      RestoreOptions options;
      options.target = target.path();
      options.workers = 2;
      RestoreProgress progress;
      ASSERT_OK(RunRestore(*repo, record.snapshot.tree, options, progress));
      EXPECT_EQ(CompareTrees(source_ / "src", target / "src"), std::vector<std::string>{});
    }
  }

  Result<RebalanceReport> Run(const std::string& via, RebalanceOptions options = {}) {
    auto repo = Open(via);
    if (!repo) return Fail(Code::kInternal, "open");
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

  CloudSet CurrentSet(const std::string& via) {
    auto repo = Open(via);
    auto set = RequireCloudSet(*repo);
    EXPECT_TRUE(set);
    return set ? *set : CloudSet{};
  }

  std::map<std::string, uint64_t> Objects(const std::string& cloud) {
    std::map<std::string, uint64_t> out;
    EXPECT_OK(Memory(cloud).List("", [&](const storage::ObjectInfo& info) {
      out[info.name] = info.size;
      return OkStatus();
    }));
    return out;
  }
  // Names of data objects on a cloud: whole copies and shards by layout.
  std::set<std::string> DataLayouts(const std::string& cloud) {
    std::set<std::string> layouts;
    for (const auto& [name, size] : Objects(cloud)) {
      if (!name.starts_with("data/")) continue;
      auto shard = placement::ParseShardName(name);
      layouts.insert(shard ? fmt::format("ec{}+{}", shard->k, shard->m) : "copy");
    }
    return layouts;
  }
  void Wipe(const std::string& cloud) {
    for (const auto& [name, size] : Objects(cloud)) ASSERT_OK(Memory(cloud).Remove(name));
  }
  void Down(const std::string& cloud) { Cloud(cloud).AddRule(FaultRule::Fail(Code::kUnavailable)); }
  void Up(const std::string& cloud) { Cloud(cloud).ClearRules(); }

  TempDir source_;
  struct Slot {
    std::shared_ptr<MemoryStore> memory;
    std::shared_ptr<FaultStore> faults;
  };
  std::map<std::string, Slot> clouds_;
  std::vector<Id> snapshots_;
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
