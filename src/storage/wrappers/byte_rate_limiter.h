// Paces bytes to a rate, shared by every thread that sends through it.
//
// Each call reserves the time its bytes take at the rate, right after the
// bytes reserved before it (a virtual schedule, like a token bucket), and
// waits until the schedule allows them: so concurrent callers share the rate
// rather than each getting all of it, and a sleep that overshoots does not
// lower the rate (the schedule, not the clock after waking, sets the next
// slot). Large amounts go in slices of kSliceBytes so that callers
// interleave and no object gets a burst of its whole size. An idle limiter
// lets through at most `burst` bytes at once: min(kSliceBytes, one second
// of rate).
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>

namespace arkiv::storage {

// The time a limiter sees and how it waits. Empty: the steady clock and
// std::this_thread::sleep_for. Tests give a fake clock and a sleep that
// advances it.
struct ClockHooks {
  std::function<std::chrono::steady_clock::time_point()> now = nullptr;
  std::function<void(std::chrono::nanoseconds)> sleep = nullptr;
};

class ByteRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr uint64_t kSliceBytes = uint64_t{1} << 20;

  // REQUIRES: bytes_per_second > 0.
  explicit ByteRateLimiter(uint64_t bytes_per_second, ClockHooks hooks = {});

  // Returns once `bytes` may pass, slice by slice.
  void Consume(uint64_t bytes);

  // Reserves the time of `bytes` in the schedule and returns how long the
  // caller must wait before sending them (zero or more). Consume calls it
  // one slice at a time.
  std::chrono::nanoseconds Reserve(uint64_t bytes);

  uint64_t bytes_per_second() const { return bytes_per_second_; }

 private:
  // How long `bytes` take at the rate.
  std::chrono::nanoseconds Duration(uint64_t bytes) const;

  const uint64_t bytes_per_second_;
  ClockHooks hooks_;
  const std::chrono::nanoseconds burst_;
  std::mutex mutex_;
  // When everything reserved so far has passed at the rate.
  Clock::time_point schedule_end_;
};

}  // namespace arkiv::storage
