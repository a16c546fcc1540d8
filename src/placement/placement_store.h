// A Store over N clouds (design.md §20): replicas or erasure-coded shards,
// writes at a quorum with the misses recorded as repair debt, reads from the
// cheapest clouds that are up, falling back (and decoding from parity) when a
// copy or shard is missing, corrupt or unreachable — never wrong bytes.
// A remove a cloud missed is recorded as remove debt, and the copy left there
// is hidden from List, Get and Stat until `arkiv repair` removes it.
//
// Objects other than data packs are copied to every cloud. Data packs follow
// the policy. The repository layers above see one ordinary Store.
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/thread_pool.h"
#include "placement/cloud_health.h"
#include "placement/erasure_code.h"
#include "placement/policy.h"
#include "placement/repair_debt.h"
#include "storage/store.h"

namespace arkiv::placement {

struct Cloud {
  std::string name;                      // "aws", "azure", … (design.md §20.1)
  std::shared_ptr<storage::Store> store;  // its own retry/limit/metrics stack
  double read_cost = 1.0;                 // relative; lower is read first
};

struct PlacementOptions {
  Policy policy;
  int write_quorum = 0;  // 0: N-1 (clamped, see EffectiveWriteQuorum)
  std::string host;      // written into repair records
  CloudHealth::Clock::duration down_for = std::chrono::seconds(30);
  std::function<CloudHealth::Clock::time_point()> now;  // tests
};

struct PlacementStats {
  uint64_t degraded_reads = 0;     // reads not served by their first choice
  uint64_t missed_placements = 0;  // copies/shards a cloud missed (repair debt)
  uint64_t missed_removes = 0;     // removes a cloud missed (remove debt)
  std::vector<uint64_t> cloud_errors;  // per cloud, errors seen (any call)
  std::vector<uint64_t> cloud_missed;  // per cloud, placements it missed
  std::vector<uint64_t> cloud_missed_removes;  // per cloud, removes it missed
};

class PlacementStore : public storage::Store {
 public:
  // kInvalidArgument: no clouds, duplicate names, an ec policy whose K+M is
  // not the number of clouds, a bad write quorum.
  static Result<std::shared_ptr<PlacementStore>> Create(std::vector<Cloud> clouds, PlacementOptions options);
  // Writes pending repair debt (best effort; call FlushDebt to see errors).
  ~PlacementStore() override;

  std::string Location() const override;
  storage::StoreCapabilities Capabilities() const override;
  Status Put(std::string_view name, ByteView data, storage::PutMode mode = storage::PutMode::kReplace) override;
  Result<Bytes> Get(std::string_view name, uint64_t offset = 0, uint64_t length = kToEnd) override;
  Result<Bytes> GetChecked(std::string_view name, uint64_t offset, uint64_t length,
                           const std::function<Status(ByteView)>& check) override;
  Result<storage::ObjectInfo> Stat(std::string_view name) override;
  Status List(std::string_view prefix, const std::function<Status(const storage::ObjectInfo&)>& fn) override;
  // Removes the object from every cloud. A cloud that fails (or is down)
  // keeps its copy: that is remove debt, and the object is gone for every
  // reader all the same once the debt is on record — at once (before
  // returning) for every object but data packs, whose leftovers are only
  // unindexed packs and go on record with the next index/snapshot put or on
  // close. kUnavailable when the debt could not be recorded on any cloud
  // (the object may come back for other processes); kNotFound when every
  // cloud answered and none had the object.
  Status Remove(std::string_view name) override;
  Status CreateLocation() override;
  // On every cloud that retains: the copy or the shards of `name`.
  Status RefreshRetention(std::string_view name) override;

  // Writes the repair debt not yet on record as one `repair/` object on every
  // cloud that is up. kUnavailable when no cloud took it.
  Status FlushDebt();
  std::vector<DebtEntry> UnflushedDebt() const;
  // Object → the clouds that still hold a copy or shard of it a remove missed
  // (remove debt on record or not yet flushed). List, Get and Stat do not
  // read those copies; a later Put of the name cancels the debt.
  std::map<std::string, std::set<std::string>> PendingRemovals();
  // kUnavailable naming the clouds that do not answer a listing of locks.
  // Prune calls it: a reader's lock may be on one cloud only, and deleting
  // while a cloud is out would leave its copies behind.
  Status RequireAllClouds(std::string_view why);
  PlacementStats stats() const;

  const std::vector<Cloud>& clouds() const { return clouds_; }
  const Policy& policy() const { return policy_; }
  int write_quorum() const { return quorum_; }
  // The name under which cloud `cloud` holds logical object `name` of
  // `size` bytes (a shard name for data packs under ec, else `name`).
  std::string ChildName(std::string_view name, size_t cloud, uint64_t size) const;

 private:
  // How a data pack is stored: as ec shards (k, m from their names) or as
  // whole copies (k == 0).
  struct PackLayout {
    int k = 0;
    int m = 0;
    uint64_t size = 0;
  };

  PlacementStore(std::vector<Cloud> clouds, PlacementOptions options, int quorum, std::optional<ErasureCode> code);

  // Calls `fn(store)` on cloud `i`, recording health; errors gain the cloud's name.
  template <typename T>
  Result<T> Call(size_t i, const std::function<Result<T>(storage::Store&)>& fn);
  Status CallStatus(size_t i, const std::function<Status(storage::Store&)>& fn);
  // Runs fn(i) for each i in `clouds` on the pool; results in the same order.
  template <typename T>
  std::vector<T> OnClouds(const std::vector<size_t>& clouds, const std::function<T(size_t)>& fn);

  std::vector<size_t> ReadOrder(std::string_view name) const;
  // The objects of `name` on one cloud: itself, or for a pack its copy and
  // shards of every policy (a rebalance may have left some).
  static Result<std::vector<std::string>> ObjectsOn(storage::Store& s, std::string_view name);
  // At least this many clouds must say "not found" before an object is
  // called missing: with fewer, it may be on the ones that did not answer.
  size_t NotFoundThreshold() const { return clouds_.size() - quorum_ + 1; }

  Status PutCopies(std::string_view name, const std::vector<ByteView>& bodies, storage::PutMode mode,
                   bool record_debt);
  // Reads the remove debt on record (`repair/` on every cloud that answers)
  // the first time it is needed; until a cloud answers, it tries again.
  void LoadRemovals();
  // Per cloud, whether its copy of `name` is a remove's leftover; empty
  // when none is.
  std::vector<bool> Hidden(std::string_view name) const;
  // A Put of `name` reached `holders`: the remove debt for the name there is
  // void, in memory and in the records that carry it.
  void CancelRemovals(std::string_view name, std::vector<size_t> holders);
  // Writes `record` as `repair/<sha256>` to every cloud that is up; its name.
  Result<std::string> WriteRecord(const DebtRecord& record);
  Result<Bytes> GetCopy(std::string_view name, uint64_t offset, uint64_t length,
                        const std::function<Status(ByteView)>& check);
  Result<PackLayout> FindPack(std::string_view name);
  Result<Bytes> GetShardedRange(std::string_view name, const PackLayout& layout, uint64_t offset, uint64_t length,
                                const std::function<Status(ByteView)>& check);
  Result<Bytes> GetWholeShardedPack(std::string_view name, const PackLayout& layout);
  Result<Bytes> DecodeColumns(std::string_view name, const PackLayout& layout, uint64_t lo, uint64_t hi,
                              const std::vector<bool>& failed);
  void CacheLayout(std::string_view name, const PackLayout& layout);
  void AddDebt(std::string_view object, size_t cloud, const Error& why);
  void AddRemoveDebt(std::string_view object, size_t cloud, const Error& why);
  void CountDegraded(std::string_view name, std::string_view why);

  std::vector<Cloud> clouds_;
  Policy policy_;
  PlacementOptions options_;
  int quorum_;
  std::optional<ErasureCode> code_;
  CloudHealth health_;

  mutable std::mutex mutex_;  // guards the members below
  std::map<std::string, PackLayout, std::less<>> layouts_;
  std::vector<DebtEntry> debt_;  // not yet on record
  std::map<std::string, std::set<size_t>, std::less<>> removals_;  // object → clouds holding a leftover
  std::map<std::string, DebtRecord> removal_records_;             // records on the clouds with remove entries
  std::mutex flush_mutex_;  // one FlushDebt or CancelRemovals at a time
  std::mutex load_mutex_;   // one LoadRemovals at a time
  std::atomic<bool> removals_loaded_{false};

  std::atomic<uint64_t> degraded_reads_{0};
  std::atomic<uint64_t> missed_placements_{0};
  std::atomic<uint64_t> missed_removes_{0};
  std::unique_ptr<std::atomic<uint64_t>[]> cloud_errors_;
  std::unique_ptr<std::atomic<uint64_t>[]> cloud_missed_;
  std::unique_ptr<std::atomic<uint64_t>[]> cloud_missed_removes_;

  ThreadPool pool_;  // last: its destructor runs queued tasks that use the members above
};

}  // namespace arkiv::placement
