#include "storage/wrappers/metrics_store.h"

namespace arkiv::storage {

MetricsStore::MetricsStore(std::shared_ptr<Store> inner, std::shared_ptr<StoreMetrics> metrics,
                           std::function<Clock::time_point()> now)
    : inner_(std::move(inner)), metrics_(std::move(metrics)), now_(std::move(now)) {
  if (!now_) now_ = [] { return Clock::now(); };
}

Status MetricsStore::Put(std::string_view name, ByteView data, PutMode mode) {
  auto start = now_();
  Status st = inner_->Put(name, data, mode);
  metrics_->Record(Operation::kPut, now_() - start, CodeOf(st), data.size(), 0);
  return st;
}

Result<Bytes> MetricsStore::Get(std::string_view name, uint64_t offset, uint64_t length) {
  auto start = now_();
  Result<Bytes> got = inner_->Get(name, offset, length);
  metrics_->Record(Operation::kGet, now_() - start, CodeOf(got), 0, got ? got->size() : 0);
  return got;
}

Result<Bytes> MetricsStore::GetChecked(std::string_view name, uint64_t offset, uint64_t length,
                                       const std::function<Status(ByteView)>& check) {
  auto start = now_();
  Result<Bytes> got = inner_->GetChecked(name, offset, length, check);
  metrics_->Record(Operation::kGet, now_() - start, CodeOf(got), 0, got ? got->size() : 0);
  return got;
}

Result<ObjectInfo> MetricsStore::Stat(std::string_view name) {
  auto start = now_();
  Result<ObjectInfo> info = inner_->Stat(name);
  metrics_->Record(Operation::kStat, now_() - start, CodeOf(info));
  return info;
}

Status MetricsStore::List(std::string_view prefix, const std::function<Status(const ObjectInfo&)>& fn) {
  bool callback_failed = false;
  auto forward = [&](const ObjectInfo& info) -> Status {
    Status st = fn(info);
    if (!st) callback_failed = true;
    return st;
  };
  auto start = now_();
  Status st = inner_->List(prefix, forward);
  metrics_->Record(Operation::kList, now_() - start, callback_failed ? Code::kOk : CodeOf(st));
  return st;
}

Status MetricsStore::Remove(std::string_view name) {
  auto start = now_();
  Status st = inner_->Remove(name);
  metrics_->Record(Operation::kRemove, now_() - start, CodeOf(st));
  return st;
}

// Counted as a stat: its first request is a HEAD, and only prune makes it.
Status MetricsStore::RefreshRetention(std::string_view name) {
  auto start = now_();
  Status st = inner_->RefreshRetention(name);
  metrics_->Record(Operation::kStat, now_() - start, CodeOf(st));
  return st;
}

}  // namespace arkiv::storage
