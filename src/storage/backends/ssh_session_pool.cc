#include "storage/backends/ssh_session_pool.h"

namespace arkiv::storage {

SshSessionPool::SshSessionPool(SshEndpoint endpoint, size_t max_sessions)
    : endpoint_(std::move(endpoint)), max_sessions_(max_sessions == 0 ? 1 : max_sessions) {}

SshSessionPool::~SshSessionPool() = default;  // leases must have ended

Result<SshSessionPool::Lease> SshSessionPool::Acquire() {
  std::unique_lock lock(mutex_);
  returned_.wait(lock, [&] { return !idle_.empty() || open_ < max_sessions_; });
  if (!idle_.empty()) {
    std::unique_ptr<SshSession> session = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(session));
  }
  ++open_;
  lock.unlock();
  auto session = SshSession::Connect(endpoint_);
  if (!session) {
    lock.lock();
    --open_;
    returned_.notify_one();
    return Fail(session.error());
  }
  return Lease(this, std::move(*session));
}

void SshSessionPool::Release(std::unique_ptr<SshSession> session) {
  session->EndCalls();
  bool keep = session->Healthy();
  if (!keep) session.reset();  // disconnect outside the lock
  std::lock_guard lock(mutex_);
  if (keep) {
    idle_.push_back(std::move(session));
  } else {
    --open_;
  }
  returned_.notify_one();
}

}  // namespace arkiv::storage
