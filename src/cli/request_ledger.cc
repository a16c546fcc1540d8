#include "cli/request_ledger.h"

#include <fmt/format.h>

#include "cli/format.h"
#include "storage/wrappers/metrics_store.h"

namespace arkiv::cli {

RequestCounts& RequestCounts::operator+=(const RequestCounts& other) {
  put += other.put;
  get += other.get;
  list += other.list;
  stat += other.stat;
  remove += other.remove;
  errors += other.errors;
  bytes_up += other.bytes_up;
  bytes_down += other.bytes_down;
  return *this;
}

RequestCounts CountsOf(const storage::StoreMetricsSnapshot& snapshot) {
  using storage::Operation;
  RequestCounts counts;
  counts.put = snapshot[Operation::kPut].requests;
  counts.get = snapshot[Operation::kGet].requests;
  counts.list = snapshot[Operation::kList].requests;
  counts.stat = snapshot[Operation::kStat].requests;
  counts.remove = snapshot[Operation::kRemove].requests;
  for (const auto& op : snapshot.operations) {
    counts.errors += op.error_count();
    counts.bytes_up += op.bytes_up;
    counts.bytes_down += op.bytes_down;
  }
  return counts;
}

std::shared_ptr<storage::Store> RequestLedger::Enter(storage::StoreStack stack, const std::string& name,
                                                     const std::string& url) {
  std::shared_ptr<storage::StoreMetrics> metrics = stack.metrics;
  std::shared_ptr<storage::Store> store = std::move(stack.store);
  if (!metrics) {
    metrics = std::make_shared<storage::StoreMetrics>(name);
    store = std::make_shared<storage::MetricsStore>(std::move(store), metrics);
  }
  std::lock_guard lock(mutex_);
  entries_.push_back(Entry{name, url, std::move(metrics)});
  return store;
}

void RequestLedger::FoldByUrl(const std::string& name) {
  std::lock_guard lock(mutex_);
  for (auto& entry : entries_) {
    if (entry.name != name) continue;
    for (const auto& other : entries_) {
      if (other.name != name && other.url == entry.url) {
        entry.name = other.name;
        break;
      }
    }
  }
}

std::map<std::string, RequestCounts> RequestLedger::ByStore() const {
  std::lock_guard lock(mutex_);
  std::map<std::string, RequestCounts> counts;
  for (const auto& entry : entries_) counts[entry.name] += CountsOf(entry.metrics->Snapshot());
  return counts;
}

namespace {

nlohmann::json CountsJson(const RequestCounts& c) {
  return nlohmann::json{{"put", c.put},       {"get", c.get},           {"list", c.list},
                        {"stat", c.stat},     {"delete", c.remove},     {"total", c.total()},
                        {"errors", c.errors}, {"bytes_up", c.bytes_up}, {"bytes_down", c.bytes_down}};
}

RequestCounts Total(const std::map<std::string, RequestCounts>& by_store) {
  RequestCounts total;
  for (const auto& [name, counts] : by_store) total += counts;
  return total;
}

}  // namespace

nlohmann::json RequestsJson(const std::map<std::string, RequestCounts>& by_store) {
  nlohmann::json j = CountsJson(Total(by_store));
  nlohmann::json stores = nlohmann::json::object();
  for (const auto& [name, counts] : by_store) stores[name] = CountsJson(counts);
  j["stores"] = std::move(stores);
  return j;
}

std::string RequestsLine(const std::map<std::string, RequestCounts>& by_store) {
  RequestCounts t = Total(by_store);
  return fmt::format("requests: {} PUT, {} GET, {} LIST, {} STAT, {} DELETE ({} up, {} down){}", t.put, t.get, t.list,
                     t.stat, t.remove, HumanBytes(t.bytes_up), HumanBytes(t.bytes_down),
                     t.errors ? fmt::format("; {} failed and retried or reported", t.errors) : "");
}

}  // namespace arkiv::cli
