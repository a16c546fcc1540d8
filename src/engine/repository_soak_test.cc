// A time-bounded soak of a whole repository under faults (issue 6 item 6):
// three clouds (memory stores behind fault stores, each under a retry store
// as the CLI puts one), a placement store over them (ec:2+1, or three
// replicas, by seed), and a seeded loop of what operators do — source trees
// of two or three hosts changing (some contents shared between them),
// concurrent backups from those hosts (sometimes with a prune beside them),
// restores of random snapshots compared byte for byte, forget + two-phase
// prune, check (sometimes reading every byte) and repair.
//
// Every phase runs with faults on one cloud at most (what ec:2+1 tolerates):
// an outage, latency spikes, connection resets and lost replies, corrupted
// reads. Within that tolerance backups, restores and checks must succeed;
// prune refuses while a cloud is out (as the CLI does) and repair may leave
// debt behind. Nothing reported written may ever be lost or read back wrong,
// and nothing forgotten may come back (a remove a cloud missed is remove
// debt). At the end the faults stop, repair runs until the repair debt is
// zero, check --read-data is clean, every snapshot restores identical and
// only the snapshots not forgotten are there.
//
// ARKIV_REPO_SOAK_SECONDS bounds the loop (default 20 s; the ctest entry
// soak.repository runs 300 s); ARKIV_REPO_SOAK_SEED picks the run. Backups
// run on threads, so which call a probabilistic fault hits depends on the
// scheduling: a seed replays the same operations, sources and fault rules,
// not necessarily the same firings.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "engine/backup.h"
#include "engine/check.h"
#include "engine/cloud_audit.h"
#include "engine/cloud_repair.h"
#include "engine/clouds.h"
#include "engine/engine_test_util.h"
#include "engine/prune.h"
#include "engine/restore.h"
#include "storage/backends/memory_store.h"
#include "storage/wrappers/fault_store.h"
#include "storage/wrappers/retry_store.h"

namespace arkiv::engine {
namespace {

using arkiv::testing::PseudoRandomBytes;
using arkiv::testing::TempDir;
using storage::FaultRule;
using storage::FaultStore;
using storage::Operation;

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kWindow = 3600 * kSecond;

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 10) : fallback;
}

using Files = std::map<std::string, Bytes>;  // relative path → content

Files ReadTree(const std::string& root) {
  Files files;
  if (!std::filesystem::exists(root)) return files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) {
      files[std::filesystem::relative(e.path(), root).string()] = arkiv::testing::ReadFile(e.path().string());
    }
  }
  return files;
}

// The kinds of fault a phase may bring, as the report counts them.
enum FaultKind { kOutage, kLatency, kReset, kLostReply, kCorruptRead, kFaultKinds };
constexpr std::array<std::string_view, kFaultKinds> kFaultNames = {"outage", "latency", "reset", "lost reply",
                                                                    "corrupt read"};

struct Counters {
  uint64_t rounds = 0;
  uint64_t backups = 0, backups_failed = 0, prunes_beside_backups = 0;
  uint64_t restores = 0, files_compared = 0;
  uint64_t forgotten = 0, forgets_failed = 0, forgets_refused = 0;
  uint64_t prunes = 0, prunes_refused = 0, prunes_failed = 0, packs_swept = 0;
  uint64_t checks = 0, checks_read_data = 0;
  uint64_t repairs = 0, repairs_incomplete = 0, rebuilt = 0, leftovers_removed = 0, records_removed = 0;
  uint64_t final_repairs = 0, final_rebuilt = 0, final_leftovers_removed = 0;
  uint64_t degraded_reads = 0, missed_placements = 0, missed_removes = 0;
  std::array<uint64_t, kFaultKinds> faults{};
};

class RepositorySoak {
 public:
  explicit RepositorySoak(uint64_t seed) : seed_(seed), rng_(seed) {
    policy_ = seed % 2 == 0 ? "ec:2+1" : "replicate";
    for (size_t i = 0; i < clouds_.size(); ++i) {
      auto& c = clouds_[i];
      c.name = fmt::format("c{}", i);
      c.memory = std::make_shared<storage::MemoryStore>(c.name);
      c.faults = std::make_shared<FaultStore>(c.memory, seed * 7 + i);
      storage::RetryPolicy retry;
      retry.max_attempts = 3;
      retry.base_delay = std::chrono::milliseconds(1);
      retry.max_delay = std::chrono::milliseconds(4);
      retry.seed = seed + i;
      retry.sleep = [this](std::chrono::nanoseconds d) {
        retries_++;
        std::this_thread::sleep_for(d);
      };
      c.retry = std::make_shared<storage::RetryStore>(c.faults, retry);
    }
    placement::CloudSet set;
    set.policy = *placement::ParsePolicy(policy_);
    for (const auto& c : clouds_) set.clouds.push_back({c.name, c.name, 1.0});
    auto placement = OpenClouds(set, Opener());
    EXPECT_TRUE(placement.has_value()) << placement.error().ToString();
    auto options = arkiv::testing::TestInitOptions();
    options.pack_size = 128 * 1024;  // many packs: prune has something to do
    options.clouds = set.Serialize();
    auto repo = repo::Repository::Init(*placement, arkiv::testing::kTestPassword, options);
    EXPECT_TRUE(repo.has_value()) << repo.error().ToString();
    hosts_ = 2 + Pick(2);
    for (size_t h = 0; h < hosts_; ++h) {
      std::string root = fmt::format("{}/h{}/data", sources_.path(), h);
      std::filesystem::create_directories(root);
      roots_.push_back(root);
    }
  }

  void Round() {
    SCOPED_TRACE(fmt::format("round {}", counters_.rounds));
    now_ += static_cast<int64_t>(Pick(90)) * 60 * kSecond;  // the fake clock: 0 to 1.5 windows a round
    BackupPhase();
    if (::testing::Test::HasFatalFailure()) return;
    RestorePhase();
    if (Chance(0.4)) ForgetAndPrunePhase();
    if (Chance(0.4)) CheckPhase();
    if (Chance(0.4)) RepairPhase();
    counters_.rounds++;
  }

  // Faults stop; repair until no debt is left; check reads every byte; every
  // snapshot there is restores identical to its source.
  void Finish() {
    // A last backup and forget with a cloud out, so that there is debt to
    // drain, placements and removes.
    BackupPhase(true);
    ForgetOneWhileACloudIsOut();
    ClearFaults();
    uint64_t debt = 1;
    for (int attempt = 0; attempt < 5 && debt > 0; ++attempt) {
      auto repo = Open(true);
      ASSERT_TRUE(repo) << repo.error().ToString();
      auto placement = PlacementOf(**repo);
      ASSERT_OK_AND_ASSIGN(auto audit, AuditClouds(**repo, *placement, {"", true}));
      debt = Debt(audit);
      if (debt == 0) break;
      ASSERT_OK_AND_ASSIGN(auto fixed, RepairClouds(*placement, audit, false));
      EXPECT_EQ(fixed.failed, std::vector<std::string>{});
      counters_.final_repairs++;
      counters_.final_rebuilt += fixed.rebuilt;
      counters_.final_leftovers_removed += fixed.removed;
      counters_.records_removed += fixed.records_removed;
      ASSERT_OK(placement->FlushDebt());
    }
    final_debt_ = debt;
    EXPECT_EQ(debt, 0u) << "repair debt did not drain once the faults stopped";

    // Everything marked and unused goes, with nothing running beside this
    // prune (a window of 0); the snapshots left must not miss a byte of it.
    {
      auto repo = Open(false);
      ASSERT_TRUE(repo) << repo.error().ToString();
      PruneProgress progress;
      auto pruned = RunPrune(**repo, {.max_unused_percent = 0, .safety_window_ns = 0, .clock = Clock()}, progress);
      ASSERT_TRUE(pruned.has_value()) << pruned.error().ToString();
      counters_.packs_swept += pruned->packs_swept;
    }
    {
      auto repo = Open(false);
      ASSERT_TRUE(repo) << repo.error().ToString();
      CheckProgress progress;
      ASSERT_OK_AND_ASSIGN(auto report, RunCheck(**repo, {.read_data = true}, progress));
      for (const auto& p : report.problems) {
        EXPECT_TRUE(p.warning) << p.kind << ": " << p.object << ": " << p.message;
      }
      final_check_problems_ = report.problems.size();
    }
    auto repo = Open(true);
    ASSERT_TRUE(repo) << repo.error().ToString();
    ASSERT_OK_AND_ASSIGN(auto listed, (*repo)->ListFiles(repo::FileKind::kSnapshot));
    std::set<Id> there(listed.begin(), listed.end());
    for (const auto& [id, files] : kept_) {
      EXPECT_TRUE(there.contains(id)) << "snapshot " << id.Short() << " was lost";
    }
    for (const Id& id : there) {
      SCOPED_TRACE("snapshot " + id.Short());
      if (kept_.contains(id)) {
        ExpectRestores(**repo, id, kept_.at(id));
      } else if (forgotten_.contains(id)) {
        ADD_FAILURE() << "snapshot " << id.Short() << " was forgotten and came back";
      } else {
        ADD_FAILURE() << "snapshot " << id.Short() << " was never reported written";
      }
    }
    // And no cloud holds a forgotten one any more: repair removed what the
    // removes missed.
    for (const auto& [id, files] : forgotten_) {
      for (const auto& c : clouds_) {
        EXPECT_FALSE(c.memory->Stat(repo::FileName(repo::FileKind::kSnapshot, id)))
            << "cloud " << c.name << " still holds forgotten snapshot " << id.Short();
      }
    }
  }

  std::string Report(double seconds) const {
    const auto& c = counters_;
    std::string faults;
    for (size_t k = 0; k < kFaultKinds; ++k) faults += fmt::format("{}{} {}", k ? ", " : "", kFaultNames[k], c.faults[k]);
    return fmt::format(
        "[ soak    ] repository {} seed {} ({} hosts): {:.0f} s, {} rounds; {} backups ({} failed, {} beside a prune), "
        "{} restores ({} files compared), {} snapshots forgotten ({} forgets failed, {} refused while a cloud was out), {} prunes ({} refused while "
        "a cloud was out, {} failed, {} packs swept), {} checks ({} reading all data), {} repairs ({} incomplete, {} "
        "objects rebuilt, {} leftovers of removes deleted); faults fired: {}; {} retries, {} degraded reads, {} missed "
        "placements, {} missed removes; final: {} repair passes rebuilt {} objects and deleted {} leftovers, {} repair "
        "records cleared, debt {}, {} check warnings, {} snapshots restored, none of {} forgotten back\n",
        policy_, seed_, hosts_, seconds, c.rounds, c.backups, c.backups_failed, c.prunes_beside_backups, c.restores,
        c.files_compared, c.forgotten, c.forgets_failed, c.forgets_refused, c.prunes, c.prunes_refused, c.prunes_failed,
        c.packs_swept, c.checks, c.checks_read_data, c.repairs, c.repairs_incomplete, c.rebuilt, c.leftovers_removed,
        faults, retries_.load(), c.degraded_reads, c.missed_placements, c.missed_removes, c.final_repairs,
        c.final_rebuilt, c.final_leftovers_removed, c.records_removed, final_debt_, final_check_problems_,
        kept_.size(), forgotten_.size());
  }

  const Counters& counters() const { return counters_; }

 private:
  struct CloudSlot {
    std::string name;
    std::shared_ptr<storage::MemoryStore> memory;
    std::shared_ptr<FaultStore> faults;
    std::shared_ptr<storage::RetryStore> retry;
  };

  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  std::function<int64_t()> Clock() {
    return [this] { return now_.load(); };
  }

  StoreOpener Opener() {
    return [this](const placement::CloudSpec& spec) -> Result<std::shared_ptr<storage::Store>> {
      for (const auto& c : clouds_) {
        if (c.name == spec.url) return std::shared_ptr<storage::Store>(c.retry);
      }
      return Fail(Code::kNotFound, fmt::format("no cloud {}", spec.url));
    };
  }

  // The repository as a command opens it: through a cloud that answers
  // (an operator names one), then on all its clouds.
  Result<std::unique_ptr<repo::Repository>> Open(bool load_index) {
    size_t via = Pick(clouds_.size());
    while (bad_ && *bad_ == via) via = Pick(clouds_.size());
    ASSIGN_OR_RETURN(auto repo, repo::Repository::Open(clouds_[via].retry, arkiv::testing::kTestPassword));
    RETURN_IF_ERROR(AttachClouds(*repo, Opener()));
    if (load_index) RETURN_IF_ERROR(repo->LoadIndex());
    return repo;
  }

  // Adds what a placement store saw to the counters.
  void Tally(repo::Repository& repo) {
    if (auto placement = PlacementOf(repo)) {
      auto stats = placement->stats();
      counters_.degraded_reads += stats.degraded_reads;
      counters_.missed_placements += stats.missed_placements;
      counters_.missed_removes += stats.missed_removes;
    }
  }

  // Faults for one phase: sometimes none; else one cloud misbehaves in one
  // or two ways, and sometimes another one is merely slow.
  //
  // A cloud that missed writes (repair debt not yet repaired) counts as the
  // one bad cloud: faults on another would leave some objects on one cloud
  // only, beyond what ec:2+1 tolerates. So while debt is owed, only the
  // cloud that owes it misbehaves.
  // With `outage`, the one cloud is out (and nothing else).
  void InjectFaults(bool outage = false) {
    ClearFaults();
    if (!outage && Chance(0.15)) return;
    size_t cloud = owed_ ? *owed_ : Pick(clouds_.size());
    bad_ = cloud;
    FaultStore& store = *clouds_[cloud].faults;
    if (outage) return Add(store, kOutage, FaultRule::Fail(Code::kUnavailable));
    int kinds = 1 + static_cast<int>(Chance(0.4));
    for (int i = 0; i < kinds; ++i) {
      switch (Pick(5)) {
        case 0:
          Add(store, kOutage, FaultRule::Fail(Code::kUnavailable));
          break;
        case 1:
          Add(store, kLatency,
              FaultRule::Delay(std::chrono::milliseconds(2 + Pick(20))).WithProbability(0.1 + 0.3 * Chance(0.5)));
          break;
        case 2:
          Add(store, kReset, FaultRule::Fail(Code::kUnavailable).WithProbability(0.05 + 0.2 * Chance(0.5)));
          break;
        case 3:
          Add(store, kLostReply,
              FaultRule::Fail(Code::kUnavailable).AfterCall().WithProbability(0.05 + 0.2 * Chance(0.5)));
          break;
        case 4:
          Add(store, kCorruptRead, FaultRule::Corrupt().WithProbability(0.1 + 0.4 * Chance(0.5)));
          break;
      }
    }
    if (Chance(0.3)) {
      size_t slow = (cloud + 1 + Pick(clouds_.size() - 1)) % clouds_.size();
      Add(*clouds_[slow].faults, kLatency, FaultRule::Delay(std::chrono::milliseconds(1 + Pick(10))).WithProbability(0.2));
    }
  }
  void Add(FaultStore& store, FaultKind kind, FaultRule rule) {
    rules_.push_back({&store, store.AddRule(std::move(rule)), kind});
  }
  // After a phase that writes: the misbehaving cloud may have missed some.
  void MayOwe() {
    if (bad_) owed_ = bad_;
  }
  // Counts what the rules fired and removes them.
  void ClearFaults() {
    for (const auto& r : rules_) counters_.faults[r.kind] += r.store->Fired(r.id);
    rules_.clear();
    for (auto& c : clouds_) c.faults->ClearRules();
    bad_.reset();
  }

  // New, changed and deleted files; contents come partly from a pool shared
  // by all hosts (so their snapshots share blobs, and later snapshots share
  // blobs with forgotten ones).
  void ChangeSource(const std::string& root) {
    int changes = 1 + static_cast<int>(Pick(5));
    for (int i = 0; i < changes; ++i) {
      std::string path = fmt::format("{}/d{}/f{}", root, Pick(3), Pick(10));
      if (Chance(0.25)) {
        std::filesystem::remove(path);
        continue;
      }
      std::filesystem::create_directories(std::filesystem::path(path).parent_path());
      // Shared contents have fixed sizes; unique ones random sizes (a file
      // rewritten within one timestamp tick keeps its mtime, so the size
      // must tell the backup it changed).
      Bytes content = Chance(0.5) ? PseudoRandomBytes(20'000 + 7'000 * (Pick(12) + 1), 1000 + Pick(12))
                                  : PseudoRandomBytes(500 + Pick(120'000), rng_());
      if (std::filesystem::exists(path) && std::filesystem::file_size(path) == content.size()) content.push_back(0);
      arkiv::testing::WriteFile(path, content);
    }
    if (ReadTree(root).empty()) arkiv::testing::WriteFile(root + "/keep", PseudoRandomBytes(3000, 7));
  }

  // Two or three hosts back up at once, each through its own repository
  // handle; sometimes a prune (mark, and sweep of what earlier marks made
  // due) runs beside them, as the two-phase prune allows.
  void BackupPhase(bool outage = false) {
    InjectFaults(outage);
    std::vector<size_t> hosts;
    for (size_t h = 0; h < hosts_; ++h) {
      if (h == 0 || Chance(0.8)) hosts.push_back(h);
    }
    std::vector<Files> expected(hosts.size());
    for (size_t i = 0; i < hosts.size(); ++i) {
      ChangeSource(roots_[hosts[i]]);
      expected[i] = ReadTree(roots_[hosts[i]]);
    }
    std::vector<std::unique_ptr<repo::Repository>> repos;
    for (size_t i = 0; i < hosts.size(); ++i) {
      auto repo = Open(false);
      if (!Opened(repo)) return;
      repos.push_back(std::move(*repo));
    }
    std::vector<Result<BackupResult>> results(hosts.size(), Fail(Code::kInternal, "not run"));
    std::vector<std::thread> threads;
    for (size_t i = 0; i < hosts.size(); ++i) {
      threads.emplace_back([&, i] {
        auto options = arkiv::testing::BackupOf({roots_[hosts[i]]});
        options.host = fmt::format("h{}", hosts[i]);
        options.clock = Clock();
        BackupProgress progress;
        results[i] = RunBackup(*repos[i], options, progress, nullptr);
      });
    }
    bool prune_beside = Chance(0.3);
    PruneOptions prune_options{.max_unused_percent = Chance(0.5) ? 0.0 : 20.0, .safety_window_ns = kWindow,
                               .clock = Clock()};
    if (prune_beside) {
      counters_.prunes_beside_backups++;
      Prune(prune_options);
    }
    for (auto& t : threads) t.join();
    MayOwe();
    for (size_t i = 0; i < hosts.size(); ++i) {
      Tally(*repos[i]);
      if (results[i]) {
        counters_.backups++;
        kept_[results[i]->snapshot_id] = std::move(expected[i]);
        latest_[hosts[i]].push_back(results[i]->snapshot_id);
      } else {
        // One cloud misbehaving is within what the clouds tolerate.
        counters_.backups_failed++;
        ADD_FAILURE() << "backup of h" << hosts[i] << " failed: " << results[i].error().ToString();
      }
    }
  }

  // Random snapshots restored and compared byte for byte.
  void RestorePhase() {
    if (kept_.empty()) return;
    InjectFaults();
    auto repo = Open(true);
    if (!Opened(repo)) return;
    ExpectNoneForgottenListed(**repo);
    for (int i = 1 + static_cast<int>(Pick(2)); i >= 0; --i) {
      auto it = std::next(kept_.begin(), static_cast<ptrdiff_t>(Pick(kept_.size())));
      ExpectRestores(**repo, it->first, it->second);
      counters_.restores++;
    }
    Tally(**repo);
  }

  // Whichever cloud misbehaves, a forgotten snapshot is not listed again:
  // the copies its removes missed are remove debt, hidden from every reader.
  void ExpectNoneForgottenListed(repo::Repository& repo) {
    auto ids = repo.ListFiles(repo::FileKind::kSnapshot);
    ASSERT_TRUE(ids.has_value()) << ids.error().ToString();
    for (const Id& id : *ids) EXPECT_FALSE(forgotten_.contains(id)) << "forgotten snapshot " << id.Short() << " is back";
  }

  void ExpectRestores(repo::Repository& repo, const Id& id, const Files& files) {
    TempDir target;
    auto record = repo.FindSnapshot(id.Hex());
    ASSERT_TRUE(record.has_value()) << "snapshot " << id.Short() << ": " << record.error().ToString();
    RestoreOptions options;
    options.target = target.path();
    options.workers = 2;
    options.verify = Chance(0.3);
    RestoreProgress progress;
    auto result = RunRestore(repo, record->snapshot.tree, options, progress);
    ASSERT_TRUE(result.has_value()) << "restore " << id.Short() << ": " << result.error().ToString();
    for (const auto& [path, error] : result->errors) ADD_FAILURE() << "restore " << path << ": " << error.ToString();
    Files got = ReadTree(target.path() + "/data");
    EXPECT_EQ(got.size(), files.size()) << "snapshot " << id.Short();
    for (const auto& [path, bytes] : files) {
      auto found = got.find(path);
      EXPECT_TRUE(found != got.end() && found->second == bytes) << "snapshot " << id.Short() << ": " << path;
    }
    counters_.files_compared += files.size();
  }

  // Forgets all but the newest snapshots of each host (and sometimes a
  // random older one), then prunes: sometimes sweeping at once (nothing runs
  // beside it), sometimes only marking, with earlier marks swept when due.
  void ForgetAndPrunePhase() {
    InjectFaults();
    // Half the time as `forget --prune` does: only when every cloud answers.
    bool strict = Chance(0.5);
    {
      auto repo = Open(false);
      if (!Opened(repo)) return;
      bool refused = strict && !PlacementOf(**repo)->RequireAllClouds("forget --prune");
      counters_.forgets_refused += refused;
      for (auto& [host, ids] : latest_) {
        if (refused) break;
        size_t keep = 2 + Pick(3);
        while (ids.size() > keep) {
          size_t victim = Chance(0.7) ? 0 : Pick(ids.size() - 1);
          Id id = ids[victim];
          Status st = (*repo)->RemoveFile(repo::FileKind::kSnapshot, id);
          if (!st) {
            counters_.forgets_failed++;
            EXPECT_NE(st.error().code(), Code::kDataLoss) << st.error().ToString();
            break;
          }
          ids.erase(ids.begin() + static_cast<ptrdiff_t>(victim));
          forgotten_[id] = std::move(kept_.at(id));
          kept_.erase(id);
          counters_.forgotten++;
        }
      }
      Tally(**repo);
    }
    PruneOptions options{.max_unused_percent = Chance(0.5) ? 0.0 : 20.0,
                         .sweep_only = Chance(0.2),
                         .safety_window_ns = Chance(0.5) ? 0 : kWindow,
                         .clock = Clock()};
    Prune(options);
    MayOwe();
  }

  // A prune as the CLI runs it: refused unless every cloud answers.
  void Prune(const PruneOptions& options) {
    auto repo = Open(false);
    if (!Opened(repo)) return;
    if (Status st = PlacementOf(**repo)->RequireAllClouds("prune"); !st) {
      EXPECT_EQ(st.error().code(), Code::kUnavailable) << st.error().ToString();
      counters_.prunes_refused++;
      return;
    }
    PruneProgress progress;
    auto report = RunPrune(**repo, options, progress);
    Tally(**repo);
    if (!report) {
      // A cloud that fails mid-way (resets, lost replies) may stop a prune;
      // it leaves a readable repository and the next one goes on.
      counters_.prunes_failed++;
      EXPECT_NE(report.error().code(), Code::kDataLoss) << report.error().ToString();
      return;
    }
    counters_.prunes++;
    counters_.packs_swept += report->packs_swept;
  }

  void CheckPhase() {
    InjectFaults();
    auto repo = Open(false);
    if (!Opened(repo)) return;
    ExpectNoneForgottenListed(**repo);
    bool read_data = Chance(0.4);
    CheckProgress progress;
    auto report = RunCheck(**repo, {.read_data = read_data}, progress);
    ASSERT_TRUE(report.has_value()) << report.error().ToString();
    for (const auto& p : report->problems) {
      EXPECT_TRUE(p.warning) << p.kind << ": " << p.object << ": " << p.message;
    }
    counters_.checks++;
    counters_.checks_read_data += read_data;
    Tally(**repo);
  }

  void RepairPhase() {
    InjectFaults();
    auto repo = Open(true);
    if (!Opened(repo)) return;
    auto placement = PlacementOf(**repo);
    auto audit = AuditClouds(**repo, *placement, {"", Chance(0.5)});
    counters_.repairs++;
    if (!audit) {
      counters_.repairs_incomplete++;
      return;
    }
    auto fixed = RepairClouds(*placement, *audit, false);
    if (!fixed || !fixed->failed.empty() || !audit->unreachable.empty()) counters_.repairs_incomplete++;
    if (fixed) {
      counters_.rebuilt += fixed->rebuilt;
      counters_.leftovers_removed += fixed->removed;
      counters_.records_removed += fixed->records_removed;
    }
    Tally(**repo);
    MayOwe();
    // Whether the debt is paid: a listing of every cloud, faults aside (an
    // observation of the test, not an operation under test).
    ClearFaults();
    auto after = AuditClouds(**repo, *placement, {"", false});
    ASSERT_TRUE(after.has_value()) << after.error().ToString();
    if (after->Count(CloudFinding::Kind::kMissing) + after->Count(CloudFinding::Kind::kCorrupt) == 0) owed_.reset();
  }

  bool Opened(const Result<std::unique_ptr<repo::Repository>>& repo) {
    EXPECT_TRUE(repo.has_value()) << repo.error().ToString();
    return repo.has_value();
  }

  // Forgets a snapshot (not the newest of its host) that the cloud of the
  // last phase holds, while that cloud is out: its copy there becomes
  // remove debt, for the final repair to delete.
  void ForgetOneWhileACloudIsOut() {
    ASSERT_TRUE(bad_) << "no cloud is out";
    for (auto& [host, ids] : latest_) {
      for (size_t at = 0; at + 1 < ids.size(); ++at) {
        Id id = ids[at];
        if (!clouds_[*bad_].memory->Stat(repo::FileName(repo::FileKind::kSnapshot, id))) continue;
        auto repo = Open(false);
        if (!Opened(repo)) return;
        ASSERT_OK((*repo)->RemoveFile(repo::FileKind::kSnapshot, id));
        ids.erase(ids.begin() + static_cast<ptrdiff_t>(at));
        forgotten_[id] = std::move(kept_.at(id));
        kept_.erase(id);
        counters_.forgotten++;
        Tally(**repo);
        EXPECT_GT(PlacementOf(**repo)->stats().missed_removes, 0u);
        return;
      }
    }
    ADD_FAILURE() << "no snapshot to forget on cloud " << clouds_[*bad_].name;
  }

  // Objects some cloud lacks or holds damaged, and repair records left.
  static uint64_t Debt(const CloudAuditReport& audit) {
    return audit.Count(CloudFinding::Kind::kMissing) + audit.Count(CloudFinding::Kind::kCorrupt) +
           audit.debt_records.size() + audit.unreachable.size();
  }

  struct Rule {
    FaultStore* store;
    FaultStore::RuleId id;
    FaultKind kind;
  };

  uint64_t seed_;
  std::mt19937_64 rng_;
  std::string policy_;
  std::array<CloudSlot, 3> clouds_;
  std::optional<size_t> bad_;   // the cloud misbehaving in this phase
  std::optional<size_t> owed_;  // the cloud that may lack objects (repair debt)
  std::vector<Rule> rules_;
  TempDir sources_;
  size_t hosts_ = 2;
  std::vector<std::string> roots_;
  std::atomic<int64_t> now_ = 1'800'000'000 * kSecond;
  std::map<Id, Files> kept_;       // snapshots written and not forgotten
  std::map<Id, Files> forgotten_;  // snapshots forgotten
  std::map<size_t, std::vector<Id>> latest_;  // host → its kept snapshots, oldest first
  std::atomic<uint64_t> retries_ = 0;
  Counters counters_;
  uint64_t final_debt_ = 0;
  uint64_t final_check_problems_ = 0;
};

TEST(RepositorySoak, NothingIsLostAndDebtDrainsUnderFaultsOnThreeClouds) {
  uint64_t seed = EnvOr("ARKIV_REPO_SOAK_SEED", 20261128);
  uint64_t seconds = EnvOr("ARKIV_REPO_SOAK_SECONDS", 20);
  SCOPED_TRACE(fmt::format("ARKIV_REPO_SOAK_SEED={} ARKIV_REPO_SOAK_SECONDS={}", seed, seconds));
  RepositorySoak soak(seed);
  auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  while (elapsed() < static_cast<double>(seconds) && !::testing::Test::HasFailure()) soak.Round();
  soak.Finish();
  std::cout << soak.Report(elapsed()) << std::flush;
  // The run did what it is about (a run that never backed up proves nothing).
  const auto& c = soak.counters();
  EXPECT_GT(c.backups, 0u);
  EXPECT_GT(c.restores, 0u);
  EXPECT_GT(c.final_rebuilt, 0u) << "the backup with a cloud out left no debt to drain";
  EXPECT_GT(c.final_leftovers_removed, 0u) << "the forget with a cloud out left no remove debt to drain";
  if (seconds >= 10) {  // long enough for every phase and fault to come up
    EXPECT_GT(c.prunes, 0u);
    EXPECT_GT(c.missed_placements, 0u) << "no repair debt was ever made";
    EXPECT_GT(c.rebuilt, 0u) << "repair never rebuilt anything";
    for (size_t k = 0; k < kFaultKinds; ++k) EXPECT_GT(c.faults[k], 0u) << kFaultNames[k] << " never fired";
  }
}

}  // namespace
}  // namespace arkiv::engine
