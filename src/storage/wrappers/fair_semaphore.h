// A counting semaphore that admits waiters in the order they arrived, so
// that a steady stream of new callers cannot starve one that waits.
// (std::counting_semaphore promises no order.)
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>

namespace arkiv::storage {

class FairSemaphore {
 public:
  // REQUIRES: permits >= 1.
  explicit FairSemaphore(size_t permits);
  FairSemaphore(const FairSemaphore&) = delete;
  FairSemaphore& operator=(const FairSemaphore&) = delete;

  // Blocks until a permit is free and every earlier caller has one.
  void Acquire();
  // Gives back a permit taken by Acquire.
  void Release();
  // Callers blocked in Acquire now (for tests and diagnostics).
  size_t Waiting() const;

  // Holds one permit for its lifetime.
  class Permit {
   public:
    explicit Permit(FairSemaphore& semaphore) : semaphore_(semaphore) { semaphore_.Acquire(); }
    ~Permit() { semaphore_.Release(); }
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;

   private:
    FairSemaphore& semaphore_;
  };

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  const size_t permits_;
  size_t in_use_ = 0;
  uint64_t next_ticket_ = 0;  // handed to the next caller of Acquire
  uint64_t admitted_ = 0;     // tickets below this one hold or held a permit
};

}  // namespace arkiv::storage
