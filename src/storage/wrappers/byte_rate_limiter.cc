#include "storage/wrappers/byte_rate_limiter.h"

#include <algorithm>
#include <thread>

namespace arkiv::storage {

ByteRateLimiter::ByteRateLimiter(uint64_t bytes_per_second, ClockHooks hooks)
    : bytes_per_second_(std::max<uint64_t>(bytes_per_second, 1)),
      hooks_(std::move(hooks)),
      burst_(Duration(std::min(kSliceBytes, bytes_per_second_))) {
  if (!hooks_.now) hooks_.now = [] { return Clock::now(); };
  if (!hooks_.sleep) hooks_.sleep = [](std::chrono::nanoseconds d) { std::this_thread::sleep_for(d); };
}

std::chrono::nanoseconds ByteRateLimiter::Duration(uint64_t bytes) const {
  unsigned __int128 ns = static_cast<unsigned __int128>(bytes) * 1'000'000'000 / bytes_per_second_;
  // Beyond 292 years, which no caller waits for anyway.
  constexpr auto kMax = static_cast<unsigned __int128>(std::chrono::nanoseconds::max().count() / 2);
  return std::chrono::nanoseconds(static_cast<int64_t>(std::min(ns, kMax)));
}

std::chrono::nanoseconds ByteRateLimiter::Reserve(uint64_t bytes) {
  std::lock_guard lock(mutex_);
  const Clock::time_point now = hooks_.now();
  // An idle limiter's schedule lies in the past: it starts again from now,
  // which caps the credit an idle period leaves at `burst_`.
  schedule_end_ = std::max(schedule_end_, now) + Duration(bytes);
  return std::max(schedule_end_ - burst_ - now, std::chrono::nanoseconds::zero());
}

void ByteRateLimiter::Consume(uint64_t bytes) {
  while (bytes > 0) {
    uint64_t slice = std::min(bytes, kSliceBytes);
    bytes -= slice;
    if (auto wait = Reserve(slice); wait > std::chrono::nanoseconds::zero()) hooks_.sleep(wait);
  }
}

}  // namespace arkiv::storage
