// PlacementStore's remove debt (design.md §20.3, §20.4): which clouds hold a
// copy a remove missed, read from the repair records once, so that List, Get
// and Stat leave those copies out; and a later Put of the name cancelling it.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <numeric>

#include "core/log.h"
#include "placement/placement_store.h"
#include "placement/shard_name.h"
#include "placement/verify.h"

namespace arkiv::placement {

using storage::ObjectInfo;

void PlacementStore::LoadRemovals() {
  if (removals_loaded_.load()) return;
  std::lock_guard load_lock(load_mutex_);
  if (removals_loaded_.load()) return;
  // Every cloud's listing, at once (the calls use CallStatus: the typed
  // helpers are private to placement_store.cc).
  std::vector<std::vector<std::string>> names(clouds_.size());
  std::vector<std::future<Status>> lists;
  for (size_t i = 0; i < clouds_.size(); ++i) {
    lists.push_back(pool_.Async([this, i, &names] {
      return CallStatus(i, [&](Store& s) {
        return s.List(kRepairPrefix, [&](const ObjectInfo& info) {
          names[i].push_back(info.name);
          return OkStatus();
        });
      });
    }));
  }
  // Each record from one of the clouds that list it (every copy is the same
  // bytes, checked against the name).
  std::map<std::string, std::vector<size_t>> where;
  size_t answered = 0;
  for (size_t i = 0; i < clouds_.size(); ++i) {
    if (!lists[i].get()) continue;
    answered++;
    for (const auto& name : names[i]) where[name].push_back(i);
  }
  // No cloud answered: the call that needed this fails the same way; the
  // next one tries again.
  if (answered == 0) return;
  std::vector<std::future<std::optional<DebtRecord>>> reads;
  for (const auto& [name, holders] : where) {
    reads.push_back(pool_.Async([this, &name, &holders]() -> std::optional<DebtRecord> {
      for (size_t i : holders) {
        Bytes bytes;
        Status read = CallStatus(i, [&](Store& s) -> Status {
          ASSIGN_OR_RETURN(bytes, s.Get(name));
          return VerifyCloudObject(name, bytes);
        });
        if (!read) continue;
        auto record = DebtRecord::Parse(bytes);
        if (record) return std::move(*record);
      }
      LogLine(LogLevel::kWarning, fmt::format("repair record {} is unreadable on every cloud; its remove debt, if "
                                              "any, is not applied",
                                              name));
      return std::nullopt;
    }));
  }
  std::map<std::string, DebtRecord> records;
  size_t at = 0;
  for (const auto& [name, holders] : where) {
    auto record = reads[at++].get();
    if (record && record->HasRemovals()) records.emplace(name, std::move(*record));
  }
  std::lock_guard lock(mutex_);
  for (auto& [name, record] : records) {
    for (const auto& e : record.entries) {
      if (e.op != DebtOp::kRemove) continue;
      // A cloud no longer in the set is not read: its entries are void.
      auto cloud = std::find_if(clouds_.begin(), clouds_.end(), [&](const Cloud& c) { return c.name == e.cloud; });
      if (cloud != clouds_.end()) removals_[e.object].insert(static_cast<size_t>(cloud - clouds_.begin()));
    }
    removal_records_.emplace(name, std::move(record));
  }
  removals_loaded_ = true;
}

std::vector<bool> PlacementStore::Hidden(std::string_view name) const {
  std::lock_guard lock(mutex_);
  auto it = removals_.find(name);
  if (it == removals_.end()) return {};
  std::vector<bool> hidden(clouds_.size(), false);
  for (size_t i : it->second) hidden[i] = true;
  return hidden;
}

std::map<std::string, std::set<std::string>> PlacementStore::PendingRemovals() {
  LoadRemovals();
  std::lock_guard lock(mutex_);
  std::map<std::string, std::set<std::string>> out;
  for (const auto& [object, clouds] : removals_) {
    for (size_t i : clouds) out[object].insert(clouds_[i].name);
  }
  return out;
}

void PlacementStore::CancelRemovals(std::string_view name, std::vector<size_t> holders) {
  {
    std::lock_guard lock(mutex_);
    if (removals_.find(name) == removals_.end()) return;
  }
  // Serialized with FlushDebt: each entry for the name is either still in
  // debt_ or in a record of removal_records_, never in between.
  std::lock_guard flush_lock(flush_mutex_);
  // A content-named object has one content: a copy a remove left behind is
  // a copy of what was just written.
  if (ContentHashOf(name)) {
    holders.resize(clouds_.size());
    std::iota(holders.begin(), holders.end(), 0);
  }
  std::set<DebtEntry> cancelled;
  for (size_t i : holders) cancelled.insert({std::string(name), clouds_[i].name, DebtOp::kRemove});
  std::vector<std::pair<std::string, DebtRecord>> affected;
  {
    std::lock_guard lock(mutex_);
    auto it = removals_.find(name);
    if (it == removals_.end()) return;
    for (size_t i : holders) it->second.erase(i);
    if (it->second.empty()) removals_.erase(it);
    std::erase_if(debt_, [&](const DebtEntry& e) { return cancelled.contains(e); });
    for (const auto& [record_name, record] : removal_records_) {
      if (std::any_of(record.entries.begin(), record.entries.end(),
                      [&](const DebtEntry& e) { return cancelled.contains(e); })) {
        affected.emplace_back(record_name, record);
      }
    }
  }
  if (affected.empty()) return;
  // On record too, or a repair would remove what was just written: one
  // record with the other entries of the affected ones replaces them (written
  // before they go, so a crash between keeps every other entry).
  DebtRecord merged{
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count(),
      options_.host,
      {}};
  for (const auto& [record_name, record] : affected) {
    for (const auto& e : record.entries) {
      if (!cancelled.contains(e)) merged.entries.push_back(e);
    }
  }
  std::sort(merged.entries.begin(), merged.entries.end());
  merged.entries.erase(std::unique(merged.entries.begin(), merged.entries.end()), merged.entries.end());
  if (!merged.entries.empty()) {
    auto written = WriteRecord(merged);
    if (!written) {
      // Repair finds the entry void all the same: the object is on clouds
      // the remove had reached (design.md §20.5).
      LogLine(LogLevel::kWarning, fmt::format("{} was written again, and the remove debt on record for it could not "
                                              "be cancelled: {}",
                                              name, written.error().message()));
      return;
    }
    std::lock_guard lock(mutex_);
    if (merged.HasRemovals()) removal_records_.emplace(*written, std::move(merged));
  }
  for (const auto& [record_name, record] : affected) {
    // Best effort: a copy left on a cloud that is out comes back with it,
    // and repair finds its entry for the name void.
    for (size_t i = 0; i < clouds_.size(); ++i) (void)CallStatus(i, [&](Store& s) { return s.Remove(record_name); });
    std::lock_guard lock(mutex_);
    removal_records_.erase(record_name);
  }
}

}  // namespace arkiv::placement
