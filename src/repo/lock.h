// Repository locks (`locks/<sha256>`, sealed JSON {time,host,user,pid,exclusive}).
//
// Backups, check and restore take a shared lock; prune and forget a prune
// lock, which conflicts only with other prune locks and exclusive ones (prune
// runs beside backups: two-phase collection, design.md §13); key removal and
// cloud changes take an exclusive one. A held lock is rewritten every
// kLockRefreshInterval; a lock is stale when it was not refreshed for
// kLockStaleAfter, or when it names this host and a process that no longer
// exists. Stale locks are ignored and can be removed with `arkiv unlock`.
//
// Protocol: list locks and fail on a live conflicting one; write ours; list
// again and, if a live conflicting lock appeared meanwhile, remove ours and
// fail (both racers may fail; neither proceeds wrongly).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "repo/repository.h"

namespace arkiv::repo {

inline constexpr auto kLockRefreshInterval = std::chrono::minutes(5);
inline constexpr auto kLockStaleAfter = std::chrono::minutes(30);

struct LockInfo {
  int64_t time_ns = 0;
  std::string host;
  std::string user;
  int64_t pid = 0;
  bool exclusive = false;
  bool prune = false;

  Bytes Serialize() const;
  static Result<LockInfo> Parse(ByteView bytes);
  bool IsStale(int64_t now_ns) const;
  std::string Describe() const;  // "exclusive lock by root@host pid 42, 3m ago"
};

enum class LockMode { kShared, kPrune, kExclusive };

class RepositoryLock {
 public:
  // kLockHeld naming the holder when a live conflicting lock exists.
  static Result<std::unique_ptr<RepositoryLock>> Acquire(Repository& repo, LockMode mode);
  static Result<std::unique_ptr<RepositoryLock>> Acquire(Repository& repo, bool exclusive);
  ~RepositoryLock();
  RepositoryLock(const RepositoryLock&) = delete;
  RepositoryLock& operator=(const RepositoryLock&) = delete;

 private:
  RepositoryLock(Repository& repo, LockInfo info, Id id);
  void RefreshLoop();

  Repository& repo_;
  LockInfo info_;
  Id id_;
  std::mutex mutex_;
  std::condition_variable stop_signal_;
  bool stopping_ = false;
  std::thread refresher_;
};

// Removes stale locks (or all locks with `all`); returns how many.
Result<size_t> RemoveLocks(Repository& repo, bool all);

}  // namespace arkiv::repo
