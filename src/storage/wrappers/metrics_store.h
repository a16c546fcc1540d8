// A Store that counts the calls made to another one into a StoreMetrics:
// requests, errors by code, bytes of successful Puts and Gets, and how long
// each call took.
//
// It belongs right above the backend, *inside* RetryStore, so that every
// attempt is counted with its own outcome and latency: a Put that failed
// twice with kUnavailable and then went through is three requests and two
// errors. A List that stops because the caller's callback failed is counted
// as a request, not as an error of the store.
//
// Errors of the wrapped store are returned untouched.
// Thread safety: all methods may be called concurrently.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "storage/store.h"
#include "storage/wrappers/store_metrics.h"

namespace arkiv::storage {

class MetricsStore : public Store {
 public:
  using Clock = std::chrono::steady_clock;

  // `now` times the calls (empty: the steady clock); tests fake it.
  MetricsStore(std::shared_ptr<Store> inner, std::shared_ptr<StoreMetrics> metrics,
               std::function<Clock::time_point()> now = nullptr);

  const std::shared_ptr<StoreMetrics>& metrics() const { return metrics_; }

  std::string Location() const override { return inner_->Location(); }
  StoreCapabilities Capabilities() const override { return inner_->Capabilities(); }
  Status Put(std::string_view name, ByteView data, PutMode mode = PutMode::kReplace) override;
  Result<Bytes> Get(std::string_view name, uint64_t offset = 0, uint64_t length = kToEnd) override;
  // Forwarded, so that a store with several copies below still tries the
  // others when `check` fails; counted as one Get.
  Result<Bytes> GetChecked(std::string_view name, uint64_t offset, uint64_t length,
                           const std::function<Status(ByteView)>& check) override;
  Result<ObjectInfo> Stat(std::string_view name) override;
  Status List(std::string_view prefix, const std::function<Status(const ObjectInfo&)>& fn) override;
  Status Remove(std::string_view name) override;
  Status RefreshRetention(std::string_view name) override;
  Status CreateLocation() override { return inner_->CreateLocation(); }

 private:
  template <typename T>
  static Code CodeOf(const std::expected<T, Error>& result) {
    return result ? Code::kOk : result.error().code();
  }

  std::shared_ptr<Store> inner_;
  std::shared_ptr<StoreMetrics> metrics_;
  std::function<Clock::time_point()> now_;
};

}  // namespace arkiv::storage
