#include "placement/placement_store.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <future>
#include <numeric>
#include <set>

#include "core/log.h"
#include "crypto/sha256.h"
#include "placement/pack_shards.h"
#include "placement/shard.h"
#include "placement/shard_name.h"
#include "placement/shard_range.h"
#include "placement/verify.h"

namespace arkiv::placement {
namespace {

using storage::ObjectInfo;
using storage::PutMode;

// Packs whose layout is remembered; beyond this the cache starts afresh (a
// miss costs one List).
constexpr size_t kMaxCachedLayouts = 200'000;

// Objects whose misses are not repair debt: locks live minutes, and a repair
// record missing on one cloud is complete on the others.
bool IsEphemeral(std::string_view name) {
  return name.starts_with("locks/") || name.starts_with(kRepairPrefix);
}
bool IsLock(std::string_view name) {
  return name.starts_with("locks/");
}

// The code for an operation that failed on several clouds: theirs when they
// agree, else kUnavailable (some other cloud might have done better).
Code CommonCode(const std::vector<Error>& errors) {
  if (errors.empty()) return Code::kUnavailable;
  Code code = errors.front().code();
  for (const auto& e : errors) {
    if (e.code() != code) return Code::kUnavailable;
  }
  return code;
}

std::string JoinMessages(const std::vector<Error>& errors) {
  std::string out;
  for (const auto& e : errors) {
    if (!out.empty()) out += "; ";
    out += e.message();
  }
  return out;
}

Error LeftoverError(std::string_view cloud, std::string_view name) {
  return Error(Code::kNotFound,
               fmt::format("cloud {}: {}: removed; the copy left there awaits `arkiv repair`", cloud, name));
}

std::string HostName() {
  char buffer[256] = {};
  if (gethostname(buffer, sizeof buffer - 1) != 0) return "unknown";
  return buffer;
}

}  // namespace

Result<std::shared_ptr<PlacementStore>> PlacementStore::Create(std::vector<Cloud> clouds, PlacementOptions options) {
  if (clouds.empty()) return Fail(Code::kInvalidArgument, "a placement needs at least one cloud");
  std::set<std::string> names;
  for (const auto& c : clouds) {
    if (!c.store) return Fail(Code::kInvalidArgument, fmt::format("cloud {} has no store", c.name));
    if (!names.insert(c.name).second) return Fail(Code::kInvalidArgument, fmt::format("cloud {} named twice", c.name));
  }
  const Policy& policy = options.policy;
  std::optional<ErasureCode> code;
  if (policy.erasure()) {
    if (policy.RequiredClouds() != static_cast<int>(clouds.size())) {
      return Fail(Code::kInvalidArgument, fmt::format("policy {} needs exactly {} clouds, {} given", policy.ToString(),
                                                      policy.RequiredClouds(), clouds.size()));
    }
    ASSIGN_OR_RETURN(auto made, ErasureCode::Create(policy.k, policy.m));
    code.emplace(std::move(made));
  }
  ASSIGN_OR_RETURN(int quorum, EffectiveWriteQuorum(policy, static_cast<int>(clouds.size()), options.write_quorum));
  if (options.host.empty()) options.host = HostName();
  return std::shared_ptr<PlacementStore>(
      new PlacementStore(std::move(clouds), std::move(options), quorum, std::move(code)));
}

PlacementStore::PlacementStore(std::vector<Cloud> clouds, PlacementOptions options, int quorum,
                               std::optional<ErasureCode> code)
    : clouds_(std::move(clouds)),
      policy_(options.policy),
      options_(std::move(options)),
      quorum_(quorum),
      code_(std::move(code)),
      health_(clouds_.size(), options_.down_for, options_.now),
      cloud_errors_(new std::atomic<uint64_t>[clouds_.size()]),
      cloud_missed_(new std::atomic<uint64_t>[clouds_.size()]),
      cloud_missed_removes_(new std::atomic<uint64_t>[clouds_.size()]),
      // Every call fans out to N clouds, and a restore or backup makes a few
      // calls at once; the queue never blocks the caller.
      pool_(std::max<size_t>(4, 4 * clouds_.size()), 1 << 20) {
  for (size_t i = 0; i < clouds_.size(); ++i) cloud_errors_[i] = cloud_missed_[i] = cloud_missed_removes_[i] = 0;
}

PlacementStore::~PlacementStore() {
  if (auto st = FlushDebt(); !st) LogLine(LogLevel::kWarning, st.error().message());
}

std::string PlacementStore::Location() const {
  std::string names;
  for (const auto& c : clouds_) names += (names.empty() ? "" : ",") + c.name;
  return fmt::format("clouds [{}] ({})", names, policy_.ToString());
}

storage::StoreCapabilities PlacementStore::Capabilities() const {
  // Create-only across several clouds is a check on each, not one atomic act.
  bool retains = std::any_of(clouds_.begin(), clouds_.end(),
                             [](const Cloud& cloud) { return cloud.store->Capabilities().retains; });
  return {.atomic_create_only = clouds_.size() == 1 && clouds_[0].store->Capabilities().atomic_create_only,
          .retains = retains};
}

std::string PlacementStore::ChildName(std::string_view name, size_t cloud, uint64_t size) const {
  if (policy_.erasure() && IsDataPackName(name)) {
    return FormatShardName({std::string(name), policy_.k, policy_.m, static_cast<int>(cloud), size});
  }
  return std::string(name);
}

// --- calls on one cloud ------------------------------------------------------

template <typename T>
Result<T> PlacementStore::Call(size_t i, const std::function<Result<T>(Store&)>& fn) {
  auto start = health_.Now();
  Result<T> result = fn(*clouds_[i].store);
  if (!result) {
    cloud_errors_[i]++;
    if (result.error().code() == Code::kUnavailable) {
      health_.RecordUnavailable(i);
    } else {
      health_.RecordSuccess(i, health_.Now() - start);  // it answered
    }
    return Fail(result.error().Context(fmt::format("cloud {}", clouds_[i].name)));
  }
  health_.RecordSuccess(i, health_.Now() - start);
  return result;
}

Status PlacementStore::CallStatus(size_t i, const std::function<Status(Store&)>& fn) {
  auto r = Call<bool>(i, [&](Store& s) -> Result<bool> {
    RETURN_IF_ERROR(fn(s));
    return true;
  });
  if (!r) return Fail(r.error());
  return OkStatus();
}

template <typename T>
std::vector<T> PlacementStore::OnClouds(const std::vector<size_t>& clouds, const std::function<T(size_t)>& fn) {
  std::vector<std::future<T>> futures;
  futures.reserve(clouds.size());
  for (size_t i : clouds) futures.push_back(pool_.Async([&fn, i] { return fn(i); }));
  std::vector<T> results;
  results.reserve(clouds.size());
  for (auto& f : futures) results.push_back(f.get());
  return results;
}

std::vector<size_t> PlacementStore::ReadOrder(std::string_view name) const {
  size_t n = clouds_.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  double best = 0;
  for (size_t i = 0; i < n; ++i) {
    double ms = health_.LatencyMs(i);
    if (ms > 0 && !health_.IsDown(i) && (best == 0 || ms < best)) best = ms;
  }
  // Equal-cost clouds take turns by object name, so a restore reads from
  // all of them at once and their bandwidth adds up.
  size_t turn = std::hash<std::string_view>{}(name);
  std::vector<std::tuple<bool, double, bool, size_t>> keys(n);
  for (size_t i = 0; i < n; ++i) {
    bool slow = best > 0 && health_.LatencyMs(i) > 3 * best;
    keys[i] = {health_.IsDown(i), clouds_[i].read_cost, slow, (i + turn) % n};
  }
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return keys[a] < keys[b]; });
  return order;
}

void PlacementStore::AddDebt(std::string_view object, size_t cloud, const Error& why) {
  // One line per object only when asked: a cloud out for a whole backup
  // misses every pack, and the command reports the total.
  LogInfo("cloud {} missed {} (recorded for `arkiv repair`): {}", clouds_[cloud].name, object, why.message());
  missed_placements_++;
  cloud_missed_[cloud]++;
  std::lock_guard lock(mutex_);
  debt_.push_back({std::string(object), clouds_[cloud].name});
}

void PlacementStore::AddRemoveDebt(std::string_view object, size_t cloud, const Error& why) {
  // A prune sweep removes thousands of packs: one line each only when asked
  // (the command reports the total); other objects are few and named.
  std::string line = fmt::format("cloud {} missed the remove of {} (recorded for `arkiv repair`): {}",
                                 clouds_[cloud].name, object, why.message());
  if (IsDataPackName(object)) {
    LogInfo("{}", line);
  } else {
    LogLine(LogLevel::kWarning, line);
  }
  missed_removes_++;
  cloud_missed_removes_[cloud]++;
  std::lock_guard lock(mutex_);
  debt_.push_back({std::string(object), clouds_[cloud].name, DebtOp::kRemove});
  removals_[std::string(object)].insert(cloud);
}

void PlacementStore::CountDegraded(std::string_view name, std::string_view why) {
  degraded_reads_++;
  LogInfo("degraded read of {}: {}", name, why);
}

void PlacementStore::CacheLayout(std::string_view name, const PackLayout& layout) {
  std::lock_guard lock(mutex_);
  if (layouts_.size() >= kMaxCachedLayouts) layouts_.clear();
  layouts_.insert_or_assign(std::string(name), layout);
}

// --- writes -----------------------------------------------------------------

Status PlacementStore::Put(std::string_view name, ByteView data, PutMode mode) {
  RETURN_IF_ERROR(storage::ValidateObjectName(name));
  if (!IsEphemeral(name)) LoadRemovals();
  // Repair debt goes on record before the index or snapshot that relies on
  // the packs it concerns (design.md §20.3).
  if (name.starts_with("index/") || name.starts_with("snapshots/")) RETURN_IF_ERROR(FlushDebt());
  std::vector<ByteView> bodies(clouds_.size(), data);
  std::vector<Bytes> shards;
  if (code_ && IsDataPackName(name)) {
    auto hash = ContentHashOf(name);
    auto id = Id::Parse(*hash);
    if (!id || crypto::Sha256(data) != *id) {
      return Fail(Code::kInvalidArgument, fmt::format("{}: pack bytes do not match the pack's name", name));
    }
    shards = SplitPack(*code_, *id, data);
    for (size_t i = 0; i < clouds_.size(); ++i) bodies[i] = shards[i];
    CacheLayout(name, {policy_.k, policy_.m, data.size()});
  }
  return PutCopies(name, bodies, mode, !IsEphemeral(name));
}

Status PlacementStore::PutCopies(std::string_view name, const std::vector<ByteView>& bodies, PutMode mode,
                                 bool record_debt) {
  size_t n = clouds_.size();
  uint64_t logical_size = bodies.empty() ? 0 : bodies.front().size();
  if (code_ && IsDataPackName(name)) {
    auto shard = ParseShard(bodies.front());
    if (shard) logical_size = shard->header.pack_size;
  }
  // A cloud that is down is not waited for: its placements become debt at
  // once. If too few are up for the quorum, all are tried (they may be back).
  std::vector<size_t> targets, skipped;
  for (size_t i = 0; i < n; ++i) (health_.IsDown(i) ? skipped : targets).push_back(i);
  if (targets.size() < (IsLock(name) ? 1 : static_cast<size_t>(quorum_))) {
    targets.resize(n);
    std::iota(targets.begin(), targets.end(), 0);
    skipped.clear();
  }
  // A lock needs only one cloud: it must not stop a restore from the
  // clouds that are left. Its visibility is kept by List reading the locks
  // of every cloud that answers, and by prune requiring every cloud.
  size_t quorum = IsLock(name) ? 1 : static_cast<size_t>(quorum_);
  bool content_named = ContentHashOf(name).has_value();
  auto results = OnClouds<Status>(targets, [&](size_t i) {
    std::string child = ChildName(name, i, logical_size);
    return CallStatus(i, [&](Store& s) { return s.Put(child, bodies[i], mode); });
  });

  std::vector<size_t> stored;   // clouds this call wrote to
  std::vector<size_t> holding;  // clouds holding these bytes now
  size_t ok = 0;
  std::vector<Error> errors;
  std::optional<Error> exists;
  std::vector<std::pair<size_t, Error>> missed;
  for (size_t j = 0; j < targets.size(); ++j) {
    size_t i = targets[j];
    if (results[j]) {
      ok++;
      stored.push_back(i);
      holding.push_back(i);
    } else if (results[j].error().code() == Code::kAlreadyExists && content_named) {
      ok++;  // same name, same bytes: already there
      holding.push_back(i);
    } else if (results[j].error().code() == Code::kAlreadyExists) {
      exists = results[j].error();
    } else {
      errors.push_back(results[j].error());
      missed.emplace_back(i, results[j].error());
    }
  }
  auto roll_back = [&] {
    OnClouds<Status>(stored, [&](size_t i) {
      std::string child = ChildName(name, i, logical_size);
      return CallStatus(i, [&](Store& s) { return s.Remove(child); });
    });
  };
  if (exists) {
    roll_back();
    return Fail(*exists);
  }
  if (ok < quorum) {
    roll_back();
    return Fail(CommonCode(errors), fmt::format("put {}: stored on {} of {} clouds, {} needed: {}", name, ok, n, quorum,
                                                JoinMessages(errors)));
  }
  if (record_debt) {
    for (const auto& [i, error] : missed) AddDebt(name, i, error);
    for (size_t i : skipped) AddDebt(name, i, Error(Code::kUnavailable, "skipped: the cloud was down moments ago"));
    // The newer write wins over an earlier remove of the same name.
    CancelRemovals(name, std::move(holding));
  }
  return OkStatus();
}

Result<std::string> PlacementStore::WriteRecord(const DebtRecord& record) {
  Bytes bytes = record.Serialize();
  std::string name = std::string(kRepairPrefix) + crypto::Sha256(bytes).Hex();
  std::vector<size_t> targets;
  for (size_t i = 0; i < clouds_.size(); ++i) {
    if (!health_.IsDown(i)) targets.push_back(i);
  }
  if (targets.empty()) {  // all were down moments ago: they may be back
    targets.resize(clouds_.size());
    std::iota(targets.begin(), targets.end(), 0);
  }
  auto results = OnClouds<Status>(targets, [&](size_t i) {
    return CallStatus(i, [&](Store& s) { return s.Put(name, bytes, PutMode::kReplace); });
  });
  std::vector<Error> errors;
  for (auto& r : results) {
    if (!r) errors.push_back(r.error());
  }
  if (errors.size() == results.size()) return Fail(Code::kUnavailable, JoinMessages(errors));
  return name;
}

Status PlacementStore::FlushDebt() {
  std::lock_guard flush_lock(flush_mutex_);
  std::vector<DebtEntry> entries;
  {
    std::lock_guard lock(mutex_);
    entries = debt_;
  }
  if (entries.empty()) return OkStatus();
  std::sort(entries.begin(), entries.end());
  entries.erase(std::unique(entries.begin(), entries.end()), entries.end());
  DebtRecord record{
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count(),
      options_.host, entries};
  auto name = WriteRecord(record);
  if (!name) {
    return Fail(Code::kUnavailable,
                fmt::format("could not record repair debt ({} missed placements and removes) on any cloud: {}",
                            entries.size(), name.error().message()));
  }
  std::lock_guard lock(mutex_);
  std::erase_if(debt_, [&](const DebtEntry& e) { return std::binary_search(entries.begin(), entries.end(), e); });
  if (record.HasRemovals()) removal_records_.emplace(*name, std::move(record));
  return OkStatus();
}

std::vector<DebtEntry> PlacementStore::UnflushedDebt() const {
  std::lock_guard lock(mutex_);
  return debt_;
}

PlacementStats PlacementStore::stats() const {
  PlacementStats s{degraded_reads_.load(), missed_placements_.load(), missed_removes_.load(), {}, {}, {}};
  for (size_t i = 0; i < clouds_.size(); ++i) {
    s.cloud_errors.push_back(cloud_errors_[i].load());
    s.cloud_missed.push_back(cloud_missed_[i].load());
    s.cloud_missed_removes.push_back(cloud_missed_removes_[i].load());
  }
  return s;
}

Status PlacementStore::RequireAllClouds(std::string_view why) {
  std::vector<size_t> all(clouds_.size());
  std::iota(all.begin(), all.end(), 0);
  auto results = OnClouds<Status>(all, [&](size_t i) {
    return CallStatus(i, [](Store& s) { return s.List("locks/", [](const ObjectInfo&) { return OkStatus(); }); });
  });
  std::vector<Error> errors;
  for (auto& r : results) {
    if (!r) errors.push_back(r.error());
  }
  if (errors.empty()) return OkStatus();
  return Fail(Code::kUnavailable,
              fmt::format("{} needs every cloud, and {} did not answer: {}", why, errors.size(), JoinMessages(errors)));
}

Status PlacementStore::CreateLocation() {
  std::vector<size_t> all(clouds_.size());
  std::iota(all.begin(), all.end(), 0);
  auto results =
      OnClouds<Status>(all, [&](size_t i) { return CallStatus(i, [](Store& s) { return s.CreateLocation(); }); });
  std::vector<Error> errors;
  for (auto& r : results) {
    if (!r) errors.push_back(r.error());
  }
  if (!errors.empty()) return Fail(CommonCode(errors), JoinMessages(errors));
  return OkStatus();
}

// --- reads ------------------------------------------------------------------

Result<Bytes> PlacementStore::Get(std::string_view name, uint64_t offset, uint64_t length) {
  return GetChecked(name, offset, length, nullptr);
}

Result<Bytes> PlacementStore::GetChecked(std::string_view name, uint64_t offset, uint64_t length,
                                         const std::function<Status(ByteView)>& check) {
  RETURN_IF_ERROR(storage::ValidateObjectName(name));
  if (!IsEphemeral(name)) LoadRemovals();
  if (!IsDataPackName(name)) return GetCopy(name, offset, length, check);
  // Data packs: whole copies under replicate, shards under ec; either may be
  // found under the other policy while a rebalance is under way.
  if (!code_) {
    auto copy = GetCopy(name, offset, length, check);
    if (copy || copy.error().code() != Code::kNotFound) return copy;
  }
  ASSIGN_OR_RETURN(PackLayout layout, FindPack(name));
  if (layout.k == 0) return GetCopy(name, offset, length, check);
  return GetShardedRange(name, layout, offset, length, check);
}

Result<Bytes> PlacementStore::GetCopy(std::string_view name, uint64_t offset, uint64_t length,
                                      const std::function<Status(ByteView)>& check) {
  bool whole = offset == 0 && length == kToEnd;
  std::vector<Error> errors;
  size_t not_found = 0, bad_range = 0, bad_bytes = 0, leftovers = 0;
  std::vector<bool> hidden = Hidden(name);
  for (size_t i : ReadOrder(name)) {
    if (!hidden.empty() && hidden[i]) {
      not_found++;
      leftovers++;
      errors.push_back(LeftoverError(clouds_[i].name, name));
      continue;
    }
    auto bytes = Call<Bytes>(i, [&](Store& s) { return s.Get(name, offset, length); });
    if (!bytes) {
      // A range past the end may be a truncated copy: the others decide.
      if (bytes.error().code() == Code::kNotFound) not_found++;
      if (bytes.error().code() == Code::kInvalidArgument) bad_range++;
      errors.push_back(bytes.error());
      continue;
    }
    Status verdict = OkStatus();
    if (whole) verdict = VerifyCloudObject(name, *bytes);
    if (verdict && check) verdict = check(*bytes);
    if (!verdict) {
      bad_bytes++;
      cloud_errors_[i]++;
      errors.push_back(
          Error(Code::kDataLoss, fmt::format("cloud {}: {}: {}", clouds_[i].name, name, verdict.error().message())));
      LogLine(LogLevel::kWarning, errors.back().message());
      continue;
    }
    // A remove's leftover not read is no degraded read.
    if (errors.size() > leftovers) CountDegraded(name, JoinMessages(errors));
    return bytes;
  }
  if (bad_bytes > 0)
    return Fail(Code::kDataLoss, fmt::format("{}: no cloud has right bytes: {}", name, JoinMessages(errors)));
  if (not_found >= NotFoundThreshold() && not_found + bad_range == errors.size()) {
    return Fail(Code::kNotFound, fmt::format("{}: not found on any cloud", name));
  }
  if (bad_range > 0 && bad_range + not_found == errors.size())
    return Fail(Code::kInvalidArgument, JoinMessages(errors));
  return Fail(CommonCode(errors), fmt::format("{}: {}", name, JoinMessages(errors)));
}

Result<PlacementStore::PackLayout> PlacementStore::FindPack(std::string_view name) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = layouts_.find(name); it != layouts_.end()) return it->second;
  }
  // One listing of the pack's names on a cloud tells how it is stored.
  std::string prefix(name);
  std::vector<Error> errors;
  size_t answered = 0;
  std::vector<bool> hidden = Hidden(name);
  for (size_t i : ReadOrder(name)) {
    if (!hidden.empty() && hidden[i]) {
      answered++;  // what it holds of the pack is a remove's leftover
      continue;
    }
    std::optional<PackLayout> found, copy;
    auto listed = Call<bool>(i, [&](Store& s) -> Result<bool> {
      RETURN_IF_ERROR(s.List(prefix, [&](const ObjectInfo& info) {
        if (info.name == name) copy = PackLayout{0, 0, info.size};
        auto shard = ParseShardName(info.name);
        if (shard && shard->pack == name) {
          // The current policy's shards win over a rebalance's leftovers.
          bool current = shard->k == policy_.k && shard->m == policy_.m;
          if (!found || current) found = PackLayout{shard->k, shard->m, shard->pack_size};
        }
        return OkStatus();
      }));
      return true;
    });
    if (!listed) {
      errors.push_back(listed.error());
      continue;
    }
    answered++;
    if (found) {
      CacheLayout(name, *found);
      return *found;
    }
    if (copy) return *copy;
  }
  if (answered >= NotFoundThreshold()) return Fail(Code::kNotFound, fmt::format("{}: not found on any cloud", name));
  return Fail(CommonCode(errors), fmt::format("{}: {}", name, JoinMessages(errors)));
}

Result<Bytes> PlacementStore::GetShardedRange(std::string_view name, const PackLayout& layout, uint64_t offset,
                                              uint64_t length, const std::function<Status(ByteView)>& check) {
  if (offset > layout.size || (length != kToEnd && length > layout.size - offset)) {
    return Fail(Code::kInvalidArgument,
                fmt::format("{}: range {}+{} is outside the pack's {} bytes", name, offset, length, layout.size));
  }
  if (length == kToEnd) length = layout.size - offset;
  auto verify = [&](ByteView bytes) -> Status {
    if (offset == 0 && length == layout.size) RETURN_IF_ERROR(VerifyCloudObject(name, bytes));
    if (check) return check(bytes);
    return OkStatus();
  };
  auto slice_of_whole = [&](const Bytes& pack) -> Result<Bytes> {
    Bytes out(pack.begin() + static_cast<ptrdiff_t>(offset), pack.begin() + static_cast<ptrdiff_t>(offset + length));
    if (Status st = verify(out); !st) {
      return Fail(Code::kDataLoss,
                  fmt::format("{}: decoded from verified shards, still wrong: {}", name, st.error().message()));
    }
    return out;
  };
  if (offset == 0 && length == layout.size) {
    ASSIGN_OR_RETURN(Bytes pack, GetWholeShardedPack(name, layout));
    return slice_of_whole(pack);
  }
  ASSIGN_OR_RETURN(auto ranges, ShardRangesFor(layout.k, layout.size, offset, length));
  if (ranges.empty()) return Bytes{};
  std::vector<bool> failed(static_cast<size_t>(layout.k + layout.m), false);
  std::vector<Error> errors;
  // A data shard's cloud known to be down is not asked: its store would spend
  // seconds retrying before failing again, and a restore reads thousands of
  // ranges. Its piece is decoded from the other clouds at once.
  for (const auto& r : ranges) {
    size_t i = static_cast<size_t>(r.shard);
    if (health_.IsDown(i)) {
      failed[i] = true;
      errors.push_back(Error(Code::kUnavailable, fmt::format("cloud {}: down, not asked", clouds_[i].name)));
    }
  }
  // Fast path: each piece read in place from its data shard.
  std::vector<size_t> shard_clouds;
  for (const auto& r : ranges) {
    if (!failed[static_cast<size_t>(r.shard)]) shard_clouds.push_back(static_cast<size_t>(r.shard));
  }
  auto parts = OnClouds<Result<Bytes>>(shard_clouds, [&](size_t i) {
    const ShardRange& r = *std::find_if(ranges.begin(), ranges.end(),
                                        [&](const ShardRange& x) { return static_cast<size_t>(x.shard) == i; });
    std::string child = FormatShardName({std::string(name), layout.k, layout.m, r.shard, layout.size});
    return Call<Bytes>(i, [&](Store& s) { return s.Get(child, r.object_offset(), r.length); });
  });
  std::vector<std::optional<Bytes>> pieces(static_cast<size_t>(layout.k));
  for (size_t j = 0; j < parts.size(); ++j) {
    if (!parts[j]) {
      failed[shard_clouds[j]] = true;
      errors.push_back(parts[j].error());
    } else {
      pieces[shard_clouds[j]] = std::move(*parts[j]);
    }
  }
  auto joined = [&] {
    Bytes out;
    out.reserve(length);
    for (const auto& r : ranges) {
      const Bytes& piece = *pieces[static_cast<size_t>(r.shard)];
      out.insert(out.end(), piece.begin(), piece.end());
    }
    return out;
  };
  if (errors.empty()) {
    Bytes out = joined();
    if (verify(out)) return out;
    errors.push_back(Error(Code::kDataLoss, "the data shards' bytes failed verification"));
  } else {
    // Reed-Solomon works column by column: the same payload range of any K
    // other shards rebuilds a missing piece. Each missing piece is decoded
    // over its own columns only (a blob straddling two shards is not decoded
    // over the span of both).
    bool decoded_all = true;
    for (const auto& r : ranges) {
      size_t shard = static_cast<size_t>(r.shard);
      if (pieces[shard]) continue;
      auto columns = DecodeColumns(name, layout, r.payload_offset, r.payload_offset + r.length, failed);
      if (!columns) {
        errors.push_back(columns.error());
        decoded_all = false;
        break;
      }
      // Columns of every data shard, shard after shard.
      uint64_t at = static_cast<uint64_t>(r.shard) * r.length;
      pieces[shard] = Bytes(columns->begin() + static_cast<ptrdiff_t>(at),
                            columns->begin() + static_cast<ptrdiff_t>(at + r.length));
    }
    if (decoded_all) {
      Bytes decoded = joined();
      if (verify(decoded)) {
        CountDegraded(name, JoinMessages(errors));
        return decoded;
      }
      errors.push_back(Error(Code::kDataLoss, "bytes decoded from parity failed verification"));
    }
  }
  // Last resort: whole shards, each checked against its own checksum, so a
  // shard with wrong bytes is found and left out of the decode.
  CountDegraded(name, JoinMessages(errors));
  ASSIGN_OR_RETURN(Bytes pack, GetWholeShardedPack(name, layout));
  return slice_of_whole(pack);
}

Result<Bytes> PlacementStore::DecodeColumns(std::string_view name, const PackLayout& layout, uint64_t lo, uint64_t hi,
                                            const std::vector<bool>& failed) {
  size_t total = static_cast<size_t>(layout.k) + static_cast<size_t>(layout.m);
  ASSIGN_OR_RETURN(auto code, ErasureCode::Create(layout.k, layout.m));
  std::vector<size_t> candidates;
  for (size_t i : ReadOrder(name)) {
    if (i < total && !failed[i]) candidates.push_back(i);
  }
  std::vector<std::optional<Bytes>> columns(total);
  std::vector<Error> errors;
  size_t have = 0, next = 0;
  while (have < static_cast<size_t>(layout.k) && next < candidates.size()) {
    size_t want = static_cast<size_t>(layout.k) - have;
    std::vector<size_t> batch(candidates.begin() + static_cast<ptrdiff_t>(next),
                              candidates.begin() + static_cast<ptrdiff_t>(std::min(candidates.size(), next + want)));
    next += batch.size();
    auto got = OnClouds<Result<Bytes>>(batch, [&](size_t i) {
      std::string child = FormatShardName({std::string(name), layout.k, layout.m, static_cast<int>(i), layout.size});
      return Call<Bytes>(i, [&](Store& s) { return s.Get(child, kShardHeaderSize + lo, hi - lo); });
    });
    for (size_t j = 0; j < batch.size(); ++j) {
      if (got[j]) {
        columns[batch[j]] = std::move(*got[j]);
        have++;
      } else {
        errors.push_back(got[j].error());
      }
    }
  }
  if (have < static_cast<size_t>(layout.k)) {
    return Fail(
        CommonCode(errors) == Code::kNotFound ? Code::kDataLoss : CommonCode(errors),
        fmt::format("{}: {} of the {} shards needed are readable: {}", name, have, layout.k, JoinMessages(errors)));
  }
  // Only the data shards are wanted; Reconstruct fills them all.
  RETURN_IF_ERROR(code.Reconstruct(columns));
  Bytes out;
  out.reserve(static_cast<size_t>(layout.k) * (hi - lo));
  for (int s = 0; s < layout.k; ++s)
    out.insert(out.end(), columns[static_cast<size_t>(s)]->begin(), columns[static_cast<size_t>(s)]->end());
  return out;
}

Result<Bytes> PlacementStore::GetWholeShardedPack(std::string_view name, const PackLayout& layout) {
  auto hash = ContentHashOf(name);
  auto id = Id::Parse(*hash);
  if (!id) return Fail(Code::kInvalidArgument, fmt::format("{}: not a pack name", name));
  size_t total = static_cast<size_t>(layout.k) + static_cast<size_t>(layout.m);
  // Data shards first (no decoding needed when they are all fine), then as
  // many others as shards turned out missing or corrupt; clouds known to be
  // down last (ReadOrder), so their retries are not waited for first.
  std::vector<size_t> order;
  for (size_t i = 0; i < total && i < static_cast<size_t>(layout.k); ++i) {
    if (!health_.IsDown(i)) order.push_back(i);
  }
  for (size_t i : ReadOrder(name)) {
    if (i < total && std::find(order.begin(), order.end(), i) == order.end()) order.push_back(i);
  }
  std::vector<Shard> good;
  std::vector<Error> errors;
  size_t next = 0;
  while (good.size() < static_cast<size_t>(layout.k) && next < order.size()) {
    size_t want = static_cast<size_t>(layout.k) - good.size();
    std::vector<size_t> batch(order.begin() + static_cast<ptrdiff_t>(next),
                              order.begin() + static_cast<ptrdiff_t>(std::min(order.size(), next + want)));
    next += batch.size();
    auto got = OnClouds<Result<Shard>>(batch, [&](size_t i) -> Result<Shard> {
      std::string child = FormatShardName({std::string(name), layout.k, layout.m, static_cast<int>(i), layout.size});
      ASSIGN_OR_RETURN(Bytes object, Call<Bytes>(i, [&](Store& s) { return s.Get(child); }));
      auto shard = ParseShard(object);
      if (!shard || shard->header.pack_id != *id || shard->header.index != static_cast<int>(i)) {
        cloud_errors_[i]++;
        std::string why = shard ? "belongs to another pack or index" : shard.error().message();
        Error error(Code::kDataLoss, fmt::format("cloud {}: {}: {}", clouds_[i].name, child, why));
        LogLine(LogLevel::kWarning, error.message());
        return Fail(error);
      }
      return shard;
    });
    for (auto& g : got) {
      if (g) {
        good.push_back(std::move(*g));
      } else {
        errors.push_back(g.error());
      }
    }
  }
  if (good.size() < static_cast<size_t>(layout.k)) {
    Code code = CommonCode(errors);
    if (code == Code::kNotFound && errors.size() < NotFoundThreshold()) code = Code::kUnavailable;
    if (code == Code::kNotFound && good.empty() && errors.size() == total) {
      return Fail(Code::kNotFound, fmt::format("{}: not found on any cloud", name));
    }
    if (code == Code::kNotFound) code = Code::kDataLoss;  // some shards exist: the pack was written, shards are lost
    return Fail(code, fmt::format("{}: {} of the {} shards needed are readable: {}", name, good.size(), layout.k,
                                  JoinMessages(errors)));
  }
  if (!errors.empty()) CountDegraded(name, JoinMessages(errors));
  return JoinPack(*id, std::move(good));
}

Result<storage::ObjectInfo> PlacementStore::Stat(std::string_view name) {
  RETURN_IF_ERROR(storage::ValidateObjectName(name));
  if (!IsEphemeral(name)) LoadRemovals();
  if (IsDataPackName(name)) {
    ASSIGN_OR_RETURN(PackLayout layout, FindPack(name));
    return ObjectInfo{std::string(name), layout.size};
  }
  std::vector<Error> errors;
  size_t not_found = 0;
  std::vector<bool> hidden = Hidden(name);
  for (size_t i : ReadOrder(name)) {
    if (!hidden.empty() && hidden[i]) {
      not_found++;
      errors.push_back(LeftoverError(clouds_[i].name, name));
      continue;
    }
    auto info = Call<ObjectInfo>(i, [&](Store& s) { return s.Stat(name); });
    if (info) return info;
    if (info.error().code() == Code::kNotFound) not_found++;
    errors.push_back(info.error());
  }
  if (not_found >= NotFoundThreshold()) return Fail(Code::kNotFound, fmt::format("{}: not found on any cloud", name));
  return Fail(CommonCode(errors), fmt::format("{}: {}", name, JoinMessages(errors)));
}

Status PlacementStore::List(std::string_view prefix, const std::function<Status(const ObjectInfo&)>& fn) {
  // Every object was written to at least Q clouds, so any N-Q+1 clouds'
  // listings together name every object — unless clouds were wiped or
  // replaced by empty ones, which answer with nothing. So every cloud that
  // answers is listed, and at least N-Q+1 must (design.md §20.4).
  std::set<std::string, std::less<>> seen;
  std::optional<Error> callback_error;
  std::vector<Error> errors;
  size_t answered = 0;
  // A lock may be on one cloud only: one answer is enough to list locks.
  size_t needed = IsLock(prefix) ? 1 : NotFoundThreshold();
  // The copies removes left behind are not shown: the union would bring
  // the objects back (design.md §20.4).
  if (!IsEphemeral(prefix)) LoadRemovals();
  std::map<std::string, std::set<size_t>, std::less<>> leftovers;
  {
    std::lock_guard lock(mutex_);
    for (auto it = removals_.lower_bound(prefix); it != removals_.end() && it->first.starts_with(prefix); ++it) {
      leftovers.insert(*it);
    }
  }
  for (size_t i : ReadOrder(prefix)) {
    auto listed = Call<bool>(i, [&](Store& s) -> Result<bool> {
      RETURN_IF_ERROR(s.List(prefix, [&](const ObjectInfo& info) -> Status {
        ObjectInfo logical = info;
        auto shard = ParseShardName(info.name);
        if (shard) {
          logical = {shard->pack, shard->pack_size};
          if (!logical.name.starts_with(prefix)) return OkStatus();
        }
        if (auto it = leftovers.find(logical.name); it != leftovers.end() && it->second.contains(i)) {
          return OkStatus();
        }
        if (shard) CacheLayout(shard->pack, {shard->k, shard->m, shard->pack_size});
        if (!seen.insert(logical.name).second) return OkStatus();
        if (Status st = fn(logical); !st) {
          callback_error = st.error();
          return st;
        }
        return OkStatus();
      }));
      return true;
    });
    if (callback_error) return Fail(*callback_error);
    if (listed) {
      answered++;
    } else {
      errors.push_back(listed.error());
    }
  }
  if (answered == 0) {
    return Fail(CommonCode(errors), fmt::format("list {}: none of the {} clouds answered: {}", prefix, clouds_.size(),
                                                JoinMessages(errors)));
  }
  if (answered < needed) {
    // Too few to be sure every object is seen (one written while these were
    // out reached only others), but refusing would leave the repository
    // unreadable for as long as the others are out. A read that misses an
    // object fails or finds an older snapshot, never wrong bytes; commands
    // that delete require every cloud (RequireAllClouds).
    degraded_reads_++;
    LogLine(LogLevel::kWarning,
            fmt::format("list {}: only {} of {} clouds answered ({} needed to be sure to see everything); objects "
                        "written while they were out may be missing: {}",
                        prefix, answered, clouds_.size(), needed, JoinMessages(errors)));
  }
  return OkStatus();
}

Result<std::vector<std::string>> PlacementStore::ObjectsOn(Store& s, std::string_view name) {
  std::vector<std::string> names;
  if (!IsDataPackName(name)) {
    names.emplace_back(name);
    return names;
  }
  // The copy and the shards of every policy (a rebalance may have left some).
  RETURN_IF_ERROR(s.List(name, [&](const ObjectInfo& info) {
    auto shard = ParseShardName(info.name);
    if (info.name == name || (shard && shard->pack == name)) names.push_back(info.name);
    return OkStatus();
  }));
  return names;
}

Status PlacementStore::RefreshRetention(std::string_view name) {
  RETURN_IF_ERROR(storage::ValidateObjectName(name));
  std::vector<size_t> retaining;
  for (size_t i = 0; i < clouds_.size(); ++i) {
    if (clouds_[i].store->Capabilities().retains) retaining.push_back(i);
  }
  auto results = OnClouds<Status>(retaining, [&](size_t i) {
    return CallStatus(i, [&](Store& s) -> Status {
      ASSIGN_OR_RETURN(std::vector<std::string> names, ObjectsOn(s, name));
      for (const auto& n : names) {
        Status st = s.RefreshRetention(n);
        if (!st && st.error().code() != Code::kNotFound) return st;
      }
      return OkStatus();
    });
  });
  for (auto& st : results) RETURN_IF_ERROR(st);
  return OkStatus();
}

Status PlacementStore::Remove(std::string_view name) {
  RETURN_IF_ERROR(storage::ValidateObjectName(name));
  // Locks and repair records are nobody's debt: a lock left on a cloud that
  // is out is stale in 30 minutes and ignored then, a record left there is
  // checked again by the next repair.
  bool tracked = !IsEphemeral(name);
  if (tracked) LoadRemovals();
  std::vector<bool> hidden = tracked ? Hidden(name) : std::vector<bool>{};
  // A cloud that is down is not waited for: its copy becomes remove debt at
  // once. If all are down, all are tried (they may be back).
  std::vector<size_t> targets, skipped;
  for (size_t i = 0; i < clouds_.size(); ++i) (tracked && health_.IsDown(i) ? skipped : targets).push_back(i);
  if (targets.empty()) targets.swap(skipped);
  bool pack = IsDataPackName(name);
  if (pack) {
    std::lock_guard lock(mutex_);
    if (auto it = layouts_.find(name); it != layouts_.end()) layouts_.erase(it);
  }
  // Returns how many objects the cloud removed.
  auto results = OnClouds<Result<size_t>>(targets, [&](size_t i) -> Result<size_t> {
    return Call<size_t>(i, [&](Store& s) -> Result<size_t> {
      ASSIGN_OR_RETURN(std::vector<std::string> names, ObjectsOn(s, name));
      size_t removed = 0;
      for (const auto& n : names) {
        Status st = s.Remove(n);
        if (st) {
          removed++;
        } else if (st.error().code() != Code::kNotFound) {
          return Fail(st.error());
        }
      }
      return removed;
    });
  });
  // Copies on clouds holding a remove's leftover do not count: for readers
  // the object was gone already.
  size_t removed = 0, answered = 0;
  std::vector<Error> errors;
  std::optional<Error> retained;
  std::vector<std::pair<size_t, Error>> failed;
  for (size_t j = 0; j < targets.size(); ++j) {
    size_t i = targets[j];
    if (results[j]) {
      answered++;
      if (hidden.empty() || !hidden[i]) removed += *results[j];
    } else if (results[j].error().code() == Code::kRetained) {
      // Kept on purpose until its retention date: the caller keeps the
      // object and removes it again later; not debt.
      answered++;
      retained = results[j].error();
    } else {
      errors.push_back(results[j].error());
      failed.emplace_back(i, results[j].error());
    }
  }
  if (!tracked) {
    for (const auto& e : errors) {
      if (IsLock(name)) {
        LogInfo("remove {}: {}", name, e.message());
      } else {
        LogLine(LogLevel::kWarning, fmt::format("remove {}: {}", name, e.message()));
      }
    }
    if (removed > 0) return OkStatus();
    if (answered >= NotFoundThreshold()) return Fail(Code::kNotFound, fmt::format("{}: not found on any cloud", name));
    return Fail(CommonCode(errors), fmt::format("remove {}: {}", name, JoinMessages(errors)));
  }
  if (answered == 0) return Fail(CommonCode(errors), fmt::format("remove {}: {}", name, JoinMessages(errors)));
  if (failed.empty() && skipped.empty()) {
    if (retained) return Fail(*retained);
    if (removed == 0) return Fail(Code::kNotFound, fmt::format("{}: not found on any cloud", name));
    return OkStatus();
  }
  // Gone from the clouds that answered; the others may keep a copy (even
  // when no answering cloud had one: a remove's leftover nobody recorded),
  // which must not come back in the union of the listings (design.md §20.3).
  for (const auto& [i, e] : failed) AddRemoveDebt(name, i, e);
  for (size_t i : skipped) AddRemoveDebt(name, i, Error(Code::kUnavailable, "skipped: the cloud was down moments ago"));
  // A data pack's leftover is at worst an unindexed pack (prune deletes
  // those): on record with the next flush, like missed placements. Anything
  // else would show again to other processes: on record now.
  if (!pack) {
    if (Status st = FlushDebt(); !st) {
      return Fail(Code::kUnavailable, fmt::format("remove {}: done where the clouds answered, but {}; the copies "
                                                  "left may show again",
                                                  name, st.error().message()));
    }
  }
  if (retained) return Fail(*retained);
  return OkStatus();
}

}  // namespace arkiv::placement
