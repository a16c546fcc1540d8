// A seeded, randomized run of backups, restores and repairs on multi-cloud
// repositories whose clouds fail, slow down, lose objects and store or
// return corrupted bytes — never more misbehaving clouds at once than the
// policy tolerates. No restore may return wrong bytes, and within the
// tolerance none may fail; once the faults stop, repair leaves every cloud
// whole. ARKIV_SOAK_SEED reproduces a run, ARKIV_SOAK_ROUNDS lengthens it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "engine/cloud_audit.h"
#include "engine/cloud_repair.h"
#include "engine/multi_cloud_test_util.h"

namespace arkiv::engine {
namespace {

using namespace arkiv::testing;
using storage::Operation;

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

using Files = std::map<std::string, Bytes>;  // path below src/ → contents

class PlacementSoakTest : public MultiCloudTest, public ::testing::WithParamInterface<std::string> {
 protected:
  // The files below `dir`, by relative path.
  static Files ReadTree(const std::string& dir) {
    Files files;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
      if (e.is_regular_file()) files[std::filesystem::relative(e.path(), dir).string()] = ReadFile(e.path().string());
    }
    return files;
  }

  // One fault on cloud `name` that spoils reads (and, `writes`, what is stored).
  void AddFault(const std::string& name, bool writes) {
    FaultStore& cloud = Cloud(name);
    switch (rng_() % (writes ? 5 : 4)) {
      case 0: cloud.AddRule(FaultRule::Fail(Code::kUnavailable).WithProbability(0.5)); break;
      case 1: cloud.AddRule(FaultRule::Corrupt().WithProbability(0.6)); break;
      case 2: cloud.AddRule(FaultRule::Fail(Code::kNotFound).On(Operation::kGet).WithProbability(0.7)); break;
      case 3:
        cloud.AddRule(FaultRule::Delay(std::chrono::milliseconds(1 + rng_() % 3)));
        cloud.AddRule(FaultRule::Corrupt().WithProbability(0.3));
        break;
      case 4: cloud.AddRule(FaultRule::Corrupt().On(Operation::kPut).WithProbability(0.5)); break;
    }
    faults_injected_++;
  }

  // Up to `count` distinct clouds, at random.
  std::vector<std::string> Pick(size_t count) {
    std::vector<std::string> names = names_;
    std::shuffle(names.begin(), names.end(), rng_);
    names.resize(std::min(count, names.size()));
    return names;
  }

  // A cloud not in `bad`, to open the repository through (as an operator
  // gives the URL of a cloud that answers; the others are found from it).
  std::string Healthy(const std::vector<std::string>& bad) {
    std::vector<std::string> good;
    for (const auto& n : names_) {
      if (std::find(bad.begin(), bad.end(), n) == bad.end()) good.push_back(n);
    }
    return good[rng_() % good.size()];
  }

  void ClearFaults() {
    for (const auto& n : names_) Cloud(n).ClearRules();
  }

  // Changes the source: a new file, a changed one, sometimes one removed.
  void Evolve(int round) {
    WriteFile(source_ / fmt::format("src/new-{}.bin", round), PseudoRandomBytes(20'000 + rng_() % 200'000, rng_()));
    WriteFile(source_ / "src/small.txt", CompressibleBytes(10'000 + rng_() % 50'000, rng_()));
    if (round % 4 == 3) std::filesystem::remove(source_ / fmt::format("src/new-{}.bin", round - 2));
  }

  std::mt19937_64 rng_;
  std::vector<std::string> names_;
  uint64_t faults_injected_ = 0;
};

TEST_P(PlacementSoakTest, NoRestoreEverReturnsWrongBytes) {
  const std::string policy = GetParam();
  uint64_t seed = EnvOr("ARKIV_SOAK_SEED", 20261127);
  int rounds = static_cast<int>(EnvOr("ARKIV_SOAK_ROUNDS", 8));
  SCOPED_TRACE(fmt::format("policy {}, ARKIV_SOAK_SEED={}", policy, seed));
  rng_.seed(seed);
  auto parsed = placement::ParsePolicy(policy);
  ASSERT_TRUE(parsed);
  int n = parsed->erasure() ? parsed->RequiredClouds() : 3;
  for (int i = 0; i < n; ++i) names_.push_back(fmt::format("c{}", i));
  // Clouds a read may lose; clouds a write may miss at the default quorum N-1.
  size_t read_tolerance = parsed->erasure() ? static_cast<size_t>(parsed->m) : static_cast<size_t>(n - 1);
  size_t write_tolerance = 1;
  Init(policy, names_);

  std::vector<std::pair<Id, Files>> snapshots;
  uint64_t restores = 0, repaired = 0;
  for (int round = 0; round < rounds; ++round) {
    SCOPED_TRACE(fmt::format("round {}", round));
    Evolve(round);
    // Back up with one cloud misbehaving (a write reaches the others).
    std::vector<std::string> bad = Pick(write_tolerance);
    for (const auto& name : bad) AddFault(name, true);
    {
      ASSERT_OK_AND_ASSIGN(auto repo, TryOpen(Healthy(bad)));
      BackupProgress progress;
      ASSERT_OK_AND_ASSIGN(auto result, RunBackup(*repo, BackupOf({source_ / "src"}), progress, nullptr));
      snapshots.emplace_back(result.snapshot_id, ReadTree(source_ / "src"));
    }
    // Restore the newest and an older snapshot with as many clouds
    // misbehaving on reads as the policy tolerates (the one that took bad
    // writes among them).
    for (const auto& name : Pick(read_tolerance)) {
      if (bad.size() < read_tolerance && std::find(bad.begin(), bad.end(), name) == bad.end()) {
        bad.push_back(name);
        AddFault(name, false);
      }
    }
    {
      ASSERT_OK_AND_ASSIGN(auto repo, TryOpen(Healthy(bad)));
      for (size_t pick : {snapshots.size() - 1, static_cast<size_t>(rng_() % snapshots.size())}) {
        const auto& [id, files] = snapshots[pick];
        TempDir target;
        ASSERT_OK_AND_ASSIGN(auto record, repo->FindSnapshot(id.Hex()));
        RestoreOptions options;
        options.target = target.path();
        options.workers = 2;
        RestoreProgress progress;
        ASSERT_OK_AND_ASSIGN(auto result, RunRestore(*repo, record.snapshot.tree, options, progress));
        ASSERT_TRUE(result.errors.empty())
            << result.errors.front().first << ": " << result.errors.front().second.ToString();
        Files got = ReadTree(target / "src");
        ASSERT_EQ(got.size(), files.size()) << "snapshot " << pick;
        for (const auto& [path, bytes] : files) ASSERT_TRUE(got[path] == bytes) << "wrong bytes in " << path;
        restores++;
      }
    }
    // Faults stop; repair (reading every object) makes every cloud whole.
    ClearFaults();
    {
      ASSERT_OK_AND_ASSIGN(auto repo, TryOpen(names_[0]));
      auto placement = PlacementOf(*repo);
      ASSERT_OK_AND_ASSIGN(auto audit, AuditClouds(*repo, *placement, {"", true}));
      ASSERT_OK_AND_ASSIGN(auto fixed, RepairClouds(*placement, audit, false));
      EXPECT_EQ(fixed.failed, std::vector<std::string>{});
      repaired += fixed.rebuilt;
      ASSERT_OK_AND_ASSIGN(auto after, AuditClouds(*repo, *placement, {"", true}));
      for (const auto& f : after.findings) {
        EXPECT_EQ(f.kind, CloudFinding::Kind::kUnexpected) << names_[f.cloud] << ": " << f.object << ": " << f.detail;
      }
    }
  }
  // With every tolerated loss at once (the first clouds wiped), each
  // snapshot still restores right.
  for (size_t i = 0; i < read_tolerance; ++i) Wipe(names_[i]);
  ASSERT_OK_AND_ASSIGN(auto repo, TryOpen(names_.back()));
  for (const auto& [id, files] : snapshots) {
    TempDir target;
    ASSERT_OK_AND_ASSIGN(auto record, repo->FindSnapshot(id.Hex()));
    RestoreOptions options;
    options.target = target.path();
    RestoreProgress progress;
    ASSERT_OK_AND_ASSIGN(auto result, RunRestore(*repo, record.snapshot.tree, options, progress));
    ASSERT_TRUE(result.errors.empty());
    EXPECT_EQ(ReadTree(target / "src"), files);
  }
  std::cout << fmt::format(
      "[ soak    ] {}: {} rounds, {} faults injected, {} restores compared, {} objects "
      "repaired, seed {}\n",
      policy, rounds, faults_injected_, restores, repaired, seed);
}

INSTANTIATE_TEST_SUITE_P(Policies, PlacementSoakTest, ::testing::Values("ec:2+1", "ec:3+2", "replicate"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::erase_if(name, [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); });
                           return name;
                         });

}  // namespace
}  // namespace arkiv::engine
