#include "storage/wrappers/fair_semaphore.h"

#include <algorithm>

namespace arkiv::storage {

FairSemaphore::FairSemaphore(size_t permits) : permits_(std::max<size_t>(permits, 1)) {}

void FairSemaphore::Acquire() {
  std::unique_lock lock(mutex_);
  const uint64_t ticket = next_ticket_++;
  changed_.wait(lock, [&] { return ticket == admitted_ && in_use_ < permits_; });
  ++admitted_;
  ++in_use_;
  // The next ticket may be able to go as well.
  changed_.notify_all();
}

void FairSemaphore::Release() {
  {
    std::lock_guard lock(mutex_);
    --in_use_;
  }
  changed_.notify_all();
}

size_t FairSemaphore::Waiting() const {
  std::lock_guard lock(mutex_);
  return static_cast<size_t>(next_ticket_ - admitted_);
}

}  // namespace arkiv::storage
