// A Store that limits how hard another one is driven: at most `connections`
// calls in flight to it at once, and optionally an upload and a download
// rate in bytes per second shared by all calls.
//
//  * Calls beyond `connections` wait, and are let in in the order they came
//    (FairSemaphore), so none starves. Every operation counts as a call; a
//    List holds its slot until it returns, callbacks included, so a List
//    callback must not call into the same LimitStore when it could find
//    every slot taken (none of the repository's does).
//  * Put pays for its body at the upload rate before it is sent, Get for
//    what it returned at the download rate after it arrived
//    (ByteRateLimiter: slices of 1 MiB, at most one slice or one second of
//    burst). Over seconds the rate is met to within a slice; a single call
//    still goes out as fast as the wrapped store sends it. Stat, List and
//    Remove move no counted bytes. The pacing happens outside the call's
//    slot, so small calls are not held up behind large throttled ones.
//
// Errors of the wrapped store are returned untouched; LimitStore adds none.
// Thread safety: all methods may be called concurrently.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "storage/store.h"
#include "storage/wrappers/byte_rate_limiter.h"
#include "storage/wrappers/fair_semaphore.h"

namespace arkiv::storage {

struct LimitOptions {
  size_t connections = 8;                  // calls in flight at once; 0 means no limit
  uint64_t upload_bytes_per_second = 0;    // through Put; 0 means no limit
  uint64_t download_bytes_per_second = 0;  // through Get; 0 means no limit
  // Clock and sleep of the rate limiters (empty: the real ones); tests fake
  // them to see the waits without waiting.
  ClockHooks hooks = {};
};

class LimitStore : public Store {
 public:
  explicit LimitStore(std::shared_ptr<Store> inner, const LimitOptions& options = {});

  std::string Location() const override { return inner_->Location(); }
  StoreCapabilities Capabilities() const override { return inner_->Capabilities(); }
  Status Put(std::string_view name, ByteView data, PutMode mode = PutMode::kReplace) override;
  Result<Bytes> Get(std::string_view name, uint64_t offset = 0, uint64_t length = kToEnd) override;
  Result<ObjectInfo> Stat(std::string_view name) override;
  Status List(std::string_view prefix, const std::function<Status(const ObjectInfo&)>& fn) override;
  Status Remove(std::string_view name) override;
  Status RefreshRetention(std::string_view name) override;
  Status CreateLocation() override;

 private:
  // Runs `call` holding one of the slots (or directly without a limit).
  template <typename F>
  auto InSlot(F call) -> decltype(call());

  std::shared_ptr<Store> inner_;
  std::optional<FairSemaphore> slots_;
  std::optional<ByteRateLimiter> upload_;
  std::optional<ByteRateLimiter> download_;
};

}  // namespace arkiv::storage
