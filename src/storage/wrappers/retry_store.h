// A Store that retries the calls of another one when the error says a retry
// may help: Error::retryable(), i.e. kUnavailable and kResourceExhausted.
// Every other error (kNotFound, kPermissionDenied, kInvalidArgument,
// kAlreadyExists, kDataLoss, ...) is returned at once, untouched.
//
// Between attempts it waits with exponential backoff and full jitter: before
// retry k (k = 1, 2, ...) a uniformly random time in [0, min(max_delay,
// base_delay * 2^(k-1))], so that many clients that failed together do not
// come back together. When the attempts are used up, the last error is
// returned with its code, its message prefixed by the operation, the object
// and the number of attempts.
//
// A failed call may have done its work before the reply was lost, so a retry
// can meet its own effect. Where that is detectable it is handled:
//  * Put(kCreateOnly) retried into kAlreadyExists succeeds if the object
//    holds exactly the bytes being written (an earlier attempt wrote them;
//    objects are named by content or carry unique bytes, as locks do).
//  * List retried after a partial listing does not report an object twice,
//    and an error returned by the caller's callback is never retried.
// Remove retried after a lost reply may report kNotFound: callers that only
// need the object gone treat kNotFound as done.
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <random>

#include "storage/store.h"

namespace arkiv::storage {

struct RetryPolicy {
  int max_attempts = 6;  // in all, counting the first; values below 1 mean 1
  std::chrono::nanoseconds base_delay = std::chrono::milliseconds(200);
  std::chrono::nanoseconds max_delay = std::chrono::seconds(20);
  // Waits between attempts. Empty: std::this_thread::sleep_for. Tests set it
  // to observe the backoff without waiting.
  std::function<void(std::chrono::nanoseconds)> sleep = nullptr;
  // Seeds the jitter; 0 seeds it from std::random_device.
  uint64_t seed = 0;
};

// The default policy, but max_attempts from ARKIV_RETRY_MAX_ATTEMPTS (1 to
// 100) when it is set: for scripts and tests that want a server that is down
// reported sooner. kInvalidArgument when the value is not such a number.
Result<RetryPolicy> RetryPolicyFromEnvironment();

class RetryStore : public Store {
 public:
  explicit RetryStore(std::shared_ptr<Store> inner, RetryPolicy policy = {});

  std::string Location() const override { return inner_->Location(); }
  StoreCapabilities Capabilities() const override { return inner_->Capabilities(); }
  Status Put(std::string_view name, ByteView data, PutMode mode = PutMode::kReplace) override;
  Result<Bytes> Get(std::string_view name, uint64_t offset = 0, uint64_t length = kToEnd) override;
  Result<ObjectInfo> Stat(std::string_view name) override;
  Status List(std::string_view prefix, const std::function<Status(const ObjectInfo&)>& fn) override;
  Status Remove(std::string_view name) override;
  Status RefreshRetention(std::string_view name) override;
  Status CreateLocation() override { return inner_->CreateLocation(); }

  // The longest wait before retry `retry` (1-based): the jitter's upper bound.
  std::chrono::nanoseconds BackoffCap(int retry) const;

 private:
  // Runs `attempt` until it succeeds, fails in a way `retryable` rejects, or
  // the attempts are used up. `attempt` gets the 1-based attempt number.
  Status Run(std::string_view operation, std::string_view name, const std::function<Status(int)>& attempt,
             const std::function<bool(const Error&)>& retryable);
  std::chrono::nanoseconds Jitter(std::chrono::nanoseconds cap);

  std::shared_ptr<Store> inner_;
  RetryPolicy policy_;
  std::mutex random_mutex_;
  std::mt19937_64 random_;
};

}  // namespace arkiv::storage
