#include "storage/wrappers/limit_store.h"

namespace arkiv::storage {

LimitStore::LimitStore(std::shared_ptr<Store> inner, const LimitOptions& options) : inner_(std::move(inner)) {
  if (options.connections > 0) slots_.emplace(options.connections);
  if (options.upload_bytes_per_second > 0) upload_.emplace(options.upload_bytes_per_second, options.hooks);
  if (options.download_bytes_per_second > 0) download_.emplace(options.download_bytes_per_second, options.hooks);
}

template <typename F>
auto LimitStore::InSlot(F call) -> decltype(call()) {
  if (!slots_) return call();
  FairSemaphore::Permit permit(*slots_);
  return call();
}

Status LimitStore::Put(std::string_view name, ByteView data, PutMode mode) {
  if (upload_) upload_->Consume(data.size());
  return InSlot([&] { return inner_->Put(name, data, mode); });
}

Result<Bytes> LimitStore::Get(std::string_view name, uint64_t offset, uint64_t length) {
  Result<Bytes> got = InSlot([&] { return inner_->Get(name, offset, length); });
  if (got && download_) download_->Consume(got->size());
  return got;
}

Result<ObjectInfo> LimitStore::Stat(std::string_view name) {
  return InSlot([&] { return inner_->Stat(name); });
}

Status LimitStore::List(std::string_view prefix, const std::function<Status(const ObjectInfo&)>& fn) {
  return InSlot([&] { return inner_->List(prefix, fn); });
}

Status LimitStore::Remove(std::string_view name) {
  return InSlot([&] { return inner_->Remove(name); });
}

Status LimitStore::RefreshRetention(std::string_view name) {
  return InSlot([&] { return inner_->RefreshRetention(name); });
}

Status LimitStore::CreateLocation() {
  return InSlot([&] { return inner_->CreateLocation(); });
}

}  // namespace arkiv::storage
