// A small pool of SshSessions to one endpoint, so that a store can serve
// several threads at once: each session is used by one thread at a time.
//
// Acquire() hands out an idle session, opens a new one while fewer than
// `max_sessions` exist, or else waits for one to come back. A session that
// failed (lost connection, timeout) is dropped when its lease ends, so the
// next Acquire() connects afresh.
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "core/status.h"
#include "storage/backends/ssh_session.h"

namespace arkiv::storage {

class SshSessionPool {
 public:
  class Lease {
   public:
    Lease(SshSessionPool* pool, std::unique_ptr<SshSession> session) : pool_(pool), session_(std::move(session)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (session_) pool_->Release(std::move(session_));
    }
    SshSession& operator*() const { return *session_; }
    SshSession* operator->() const { return session_.get(); }

   private:
    SshSessionPool* pool_;
    std::unique_ptr<SshSession> session_;
  };

  SshSessionPool(SshEndpoint endpoint, size_t max_sessions);
  ~SshSessionPool();

  // A session for the caller's sole use until the Lease ends; the errors of
  // SshSession::Connect when a new one cannot be opened.
  Result<Lease> Acquire();

  const SshEndpoint& endpoint() const { return endpoint_; }

 private:
  void Release(std::unique_ptr<SshSession> session);

  const SshEndpoint endpoint_;
  const size_t max_sessions_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<SshSession>> idle_;  // guarded by mutex_
  size_t open_ = 0;                                // idle and leased; guarded by mutex_
};

}  // namespace arkiv::storage
