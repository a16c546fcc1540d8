#include "storage/wrappers/retry_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <optional>
#include <thread>
#include <unordered_set>

#include "core/log.h"

namespace arkiv::storage {
namespace {

bool Retryable(const Error& error) { return error.retryable(); }

uint64_t Seed(uint64_t seed) {
  if (seed != 0) return seed;
  std::random_device device;
  return uint64_t{device()} << 32 | device();
}

}  // namespace

Result<RetryPolicy> RetryPolicyFromEnvironment() {
  RetryPolicy policy;
  const char* text = std::getenv("ARKIV_RETRY_MAX_ATTEMPTS");
  if (text == nullptr || *text == '\0') return policy;
  std::string_view value(text);
  int attempts = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), attempts);
  if (ec != std::errc() || end != value.data() + value.size() || attempts < 1 || attempts > 100) {
    return Fail(Code::kInvalidArgument,
                fmt::format("ARKIV_RETRY_MAX_ATTEMPTS must be a number from 1 to 100, not '{}'", value));
  }
  policy.max_attempts = attempts;
  return policy;
}

RetryStore::RetryStore(std::shared_ptr<Store> inner, RetryPolicy policy)
    : inner_(std::move(inner)), policy_(std::move(policy)), random_(Seed(policy_.seed)) {
  if (!policy_.sleep) policy_.sleep = [](std::chrono::nanoseconds d) { std::this_thread::sleep_for(d); };
}

std::chrono::nanoseconds RetryStore::BackoffCap(int retry) const {
  auto cap = std::max(policy_.base_delay, std::chrono::nanoseconds(0));
  auto max = std::max(policy_.max_delay, std::chrono::nanoseconds(0));
  // Doubling stops at max, so a large retry number cannot overflow.
  for (int i = 1; i < retry && cap < max; ++i) cap = cap > max / 2 ? max : cap * 2;
  return std::min(cap, max);
}

std::chrono::nanoseconds RetryStore::Jitter(std::chrono::nanoseconds cap) {
  if (cap.count() <= 0) return cap.zero();
  std::lock_guard lock(random_mutex_);
  return std::chrono::nanoseconds(static_cast<int64_t>(random_() % (static_cast<uint64_t>(cap.count()) + 1)));
}

Status RetryStore::Run(std::string_view operation, std::string_view name, const std::function<Status(int)>& attempt,
                       const std::function<bool(const Error&)>& retryable) {
  const int attempts = std::max(1, policy_.max_attempts);
  for (int i = 1;; ++i) {
    Status st = attempt(i);
    if (st || !retryable(st.error())) return st;
    if (i >= attempts) {
      return Fail(st.error().Context(fmt::format("{} {}: gave up after {} attempts", operation, name, attempts)));
    }
    auto wait = Jitter(BackoffCap(i));
    LogDebug("{} {} failed, attempt {} of {}, retrying in {} ms: {}", operation, name, i, attempts,
             std::chrono::duration_cast<std::chrono::milliseconds>(wait).count(), st.error().message());
    policy_.sleep(wait);
  }
}

Status RetryStore::Put(std::string_view name, ByteView data, PutMode mode) {
  auto attempt = [&](int number) -> Status {
    Status st = inner_->Put(name, data, mode);
    if (!st && number > 1 && mode == PutMode::kCreateOnly && st.error().code() == Code::kAlreadyExists) {
      // The attempt before may have written the object and lost the reply.
      auto stored = inner_->Get(name);
      if (stored && std::ranges::equal(*stored, data)) return OkStatus();
      // Unable to tell yet: try again rather than call it someone else's.
      if (!stored && stored.error().retryable()) return Fail(stored.error());
    }
    return st;
  };
  return Run("put", name, attempt, Retryable);
}

Result<Bytes> RetryStore::Get(std::string_view name, uint64_t offset, uint64_t length) {
  std::optional<Bytes> out;
  RETURN_IF_ERROR(Run(
      "get", name,
      [&](int) -> Status {
        ASSIGN_OR_RETURN(out, inner_->Get(name, offset, length));
        return OkStatus();
      },
      Retryable));
  return std::move(*out);
}

Result<ObjectInfo> RetryStore::Stat(std::string_view name) {
  std::optional<ObjectInfo> out;
  RETURN_IF_ERROR(Run(
      "stat", name,
      [&](int) -> Status {
        ASSIGN_OR_RETURN(out, inner_->Stat(name));
        return OkStatus();
      },
      Retryable));
  return std::move(*out);
}

Status RetryStore::List(std::string_view prefix, const std::function<Status(const ObjectInfo&)>& fn) {
  // An attempt that failed part way has reported some objects already.
  std::unordered_set<std::string> reported;
  std::optional<Error> callback_error;
  auto forward = [&](const ObjectInfo& info) -> Status {
    if (!reported.insert(info.name).second) return OkStatus();
    Status st = fn(info);
    if (!st) callback_error = st.error();
    return st;
  };
  Status st = Run(
      "list", prefix, [&](int) { return inner_->List(prefix, forward); },
      [&](const Error& error) { return !callback_error && error.retryable(); });
  // The caller's own error is its decision, whatever its code, and it is
  // what List returns even if the store garbled the reply after it.
  if (callback_error) return Fail(*callback_error);
  return st;
}

Status RetryStore::Remove(std::string_view name) {
  return Run("remove", name, [&](int) { return inner_->Remove(name); }, Retryable);
}

Status RetryStore::RefreshRetention(std::string_view name) {
  return Run("refresh retention of", name, [&](int) { return inner_->RefreshRetention(name); }, Retryable);
}

}  // namespace arkiv::storage
