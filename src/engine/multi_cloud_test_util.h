// A fixture for engine tests of multi-cloud repositories (header only: not
// part of the library): clouds are memory stores behind fault stores, named
// by their URL; the repository is opened through any one of them and put on
// all its clouds as the CLI does; snapshots are checked byte for byte.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "engine/backup.h"
#include "engine/clouds.h"
#include "engine/engine_test_util.h"
#include "engine/restore.h"
#include "placement/shard_name.h"
#include "storage/backends/memory_store.h"
#include "storage/wrappers/fault_store.h"

namespace arkiv::testing {

class MultiCloudTest : public ::testing::Test {
 protected:
  using CloudSet = placement::CloudSet;
  using CloudSpec = placement::CloudSpec;
  using FaultRule = storage::FaultRule;
  using FaultStore = storage::FaultStore;
  using MemoryStore = storage::MemoryStore;

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
  engine::StoreOpener Opener() {
    return [this](const CloudSpec& c) -> Result<std::shared_ptr<storage::Store>> {
      Cloud(c.url);
      return std::shared_ptr<storage::Store>(clouds_[c.url].faults);
    };
  }
  static CloudSpec Spec(const std::string& name) { return CloudSpec{name, name, 1.0}; }

  void Init(const std::string& policy, const std::vector<std::string>& names) {
    CloudSet set;
    set.policy = *placement::ParsePolicy(policy);
    for (const auto& n : names) set.clouds.push_back(Spec(n));
    ASSERT_OK_AND_ASSIGN(auto placement, engine::OpenClouds(set, Opener()));
    repo::InitOptions options = TestInitOptions();
    options.clouds = set.Serialize();
    ASSERT_OK(repo::Repository::Init(placement, kTestPassword, options));
  }

  // The repository through cloud `via`, on all its clouds, index loaded.
  Result<std::unique_ptr<repo::Repository>> TryOpen(const std::string& via) {
    ASSIGN_OR_RETURN(auto repo,
                     repo::Repository::Open(std::shared_ptr<storage::Store>(clouds_[via].faults), kTestPassword));
    RETURN_IF_ERROR(engine::AttachClouds(*repo, Opener()));
    RETURN_IF_ERROR(repo->LoadIndex());
    return repo;
  }
  std::unique_ptr<repo::Repository> Open(const std::string& via) {
    auto repo = TryOpen(via);
    EXPECT_TRUE(repo) << repo.error().ToString();
    return repo ? std::move(*repo) : nullptr;
  }

  void BackupVia(const std::string& via) {
    auto repo = Open(via);
    ASSERT_TRUE(repo);
    engine::BackupProgress progress;
    ASSERT_OK_AND_ASSIGN(auto result, engine::RunBackup(*repo, BackupOf({source_ / "src"}), progress, nullptr));
    snapshots_.push_back(result.snapshot_id);
  }

  // Restores snapshot `id` through an open repository into a fresh
  // directory and compares it with `expected`; returns the differences.
  static Result<std::vector<std::string>> RestoreAndCompare(repo::Repository& repo, const Id& id,
                                                            const std::string& expected) {
    TempDir target;
    ASSIGN_OR_RETURN(auto record, repo.FindSnapshot(id.Hex()));
    engine::RestoreOptions options;
    options.target = target.path();
    options.workers = 2;
    options.verify = true;
    engine::RestoreProgress progress;
    ASSIGN_OR_RETURN(auto result, engine::RunRestore(repo, record.snapshot.tree, options, progress));
    if (!result.errors.empty()) {
      return Fail(result.errors.front().second.Context(fmt::format("restore {}", result.errors.front().first)));
    }
    return CompareTrees(expected, target / "src");
  }

  // Every snapshot restores byte-identical through cloud `via`.
  void ExpectRestores(const std::string& via, const std::string& why) {
    SCOPED_TRACE(why);
    auto repo = Open(via);
    ASSERT_TRUE(repo);
    for (const Id& id : snapshots_) {
      ASSERT_OK_AND_ASSIGN(auto differences, RestoreAndCompare(*repo, id, source_ / "src"));
      EXPECT_EQ(differences, std::vector<std::string>{});
    }
  }

  CloudSet CurrentSet(const std::string& via) {
    auto repo = Open(via);
    if (!repo) return CloudSet{};
    auto set = engine::RequireCloudSet(*repo);
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
  // How a cloud holds data packs: "copy" and/or "ecK+M".
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

}  // namespace arkiv::testing
