#include "repo/lock.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/log.h"
#include "repo/system_info.h"

namespace arkiv::repo {
namespace {

struct FoundLock {
  Id id;
  LockInfo info;
};

Result<std::vector<FoundLock>> ListLocks(Repository& repo) {
  ASSIGN_OR_RETURN(auto ids, repo.ListFiles(FileKind::kLock));
  std::vector<FoundLock> locks;
  for (const Id& id : ids) {
    auto plain = repo.LoadFile(FileKind::kLock, id);
    if (!plain) {
      if (plain.error().code() == Code::kNotFound) continue;  // removed meanwhile
      return Fail(plain.error());
    }
    auto info = LockInfo::Parse(*plain);
    if (!info) return Fail(info.error().Context(FileName(FileKind::kLock, id)));
    locks.push_back({id, *info});
  }
  return locks;
}

// Exclusive conflicts with every lock; prune with exclusive and prune; shared
// only with exclusive (backups run beside prune: design.md §13).
bool Conflicts(const LockInfo& ours, const LockInfo& theirs) {
  if (ours.exclusive || theirs.exclusive) return true;
  return ours.prune && theirs.prune;
}

std::optional<FoundLock> FindConflict(const std::vector<FoundLock>& locks, const LockInfo& ours, const Id* own) {
  int64_t now = NowUnixNanos();
  for (const auto& lock : locks) {
    if (own != nullptr && lock.id == *own) continue;
    if (lock.info.IsStale(now)) continue;
    if (Conflicts(ours, lock.info)) return lock;
  }
  return std::nullopt;
}

}  // namespace

Bytes LockInfo::Serialize() const {
  // A prune lock is written as exclusive too: an older arkiv, whose backups
  // know nothing of prune markers, must not run beside this prune.
  nlohmann::json j{{"time", FormatRfc3339(time_ns)}, {"host", host}, {"user", user}, {"pid", pid},
                   {"exclusive", exclusive || prune}};
  if (prune) j["prune"] = true;
  return ToBytes(j.dump());
}

// A function-try-block: json::value() throws when a field has another type.
Result<LockInfo> LockInfo::Parse(ByteView bytes) try {
  auto j = nlohmann::json::parse(AsString(bytes), nullptr, false);
  if (!j.is_object() || !j.contains("time") || !j["time"].is_string()) {
    return Fail(Code::kDataLoss, "lock is malformed");
  }
  // json::value() throws on a field of another type: check types first.
  auto typed = [&](const char* key, bool (nlohmann::json::*is)() const noexcept) {
    return !j.contains(key) || (j[key].*is)();
  };
  if (!typed("host", &nlohmann::json::is_string) || !typed("user", &nlohmann::json::is_string) ||
      !typed("pid", &nlohmann::json::is_number_integer) || !typed("exclusive", &nlohmann::json::is_boolean)) {
    return Fail(Code::kDataLoss, "lock has a field of the wrong type");
  }
  LockInfo info;
  info.time_ns = ParseRfc3339(j["time"].get<std::string>());
  info.host = j.value("host", "");
  info.user = j.value("user", "");
  info.pid = j.value("pid", int64_t{0});
  info.prune = j.value("prune", false);
  info.exclusive = j.value("exclusive", false) && !info.prune;
  return info;
} catch (const nlohmann::json::exception& e) {
  return Fail(Code::kDataLoss, std::string("lock is malformed: ") + e.what());
}

bool LockInfo::IsStale(int64_t now_ns) const {
  // A time before 1970 (or unreadable: -1) is stale, and keeps the subtraction from overflowing.
  if (time_ns < 0 || now_ns - time_ns > std::chrono::nanoseconds(kLockStaleAfter).count()) return true;
  if (host == HostName() && pid > 0 && pid <= std::numeric_limits<pid_t>::max() &&
      ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
    return true;
  }
  return false;
}

std::string LockInfo::Describe() const {
  int64_t age_s = time_ns < 0 ? -1 : (NowUnixNanos() - time_ns) / 1000000000;
  return fmt::format("{} lock by {}@{} pid {}, refreshed {}s ago", exclusive ? "an exclusive" : prune ? "a prune" : "a shared", user, host,
                     pid, age_s);
}

RepositoryLock::RepositoryLock(Repository& repo, LockInfo info, Id id)
    : repo_(repo), info_(std::move(info)), id_(id), refresher_([this] { RefreshLoop(); }) {}

Result<std::unique_ptr<RepositoryLock>> RepositoryLock::Acquire(Repository& repo, bool exclusive) {
  return Acquire(repo, exclusive ? LockMode::kExclusive : LockMode::kShared);
}

Result<std::unique_ptr<RepositoryLock>> RepositoryLock::Acquire(Repository& repo, LockMode mode) {
  auto held = [&](const FoundLock& conflict) {
    return Fail(Code::kLockHeld, fmt::format("{}: repository is locked: {} (lock {}); if that process is gone, "
                                             "run `arkiv unlock`",
                                             repo.store().Location(), conflict.info.Describe(), conflict.id.Short()));
  };
  ASSIGN_OR_RETURN(auto before, ListLocks(repo));
  LockInfo info{NowUnixNanos(), HostName(), UserName(), static_cast<int64_t>(::getpid()),
                mode == LockMode::kExclusive, mode == LockMode::kPrune};
  if (auto conflict = FindConflict(before, info, nullptr)) return held(*conflict);

  ASSIGN_OR_RETURN(Id id, repo.SaveFile(FileKind::kLock, info.Serialize()));
  ASSIGN_OR_RETURN(auto after, ListLocks(repo));
  if (auto conflict = FindConflict(after, info, &id)) {
    (void)repo.RemoveFile(FileKind::kLock, id);
    return held(*conflict);
  }
  return std::unique_ptr<RepositoryLock>(new RepositoryLock(repo, std::move(info), id));
}

RepositoryLock::~RepositoryLock() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_signal_.notify_all();
  refresher_.join();
  if (auto st = repo_.RemoveFile(FileKind::kLock, id_); !st) {
    LogInfo("could not remove lock {}: {}", id_.Short(), st.error().message());
  }
}

void RepositoryLock::RefreshLoop() {
  std::unique_lock lock(mutex_);
  while (!stop_signal_.wait_for(lock, kLockRefreshInterval, [this] { return stopping_; })) {
    info_.time_ns = NowUnixNanos();
    auto fresh = repo_.SaveFile(FileKind::kLock, info_.Serialize());
    if (!fresh) {
      LogInfo("could not refresh lock: {}", fresh.error().message());
      continue;
    }
    (void)repo_.RemoveFile(FileKind::kLock, id_);
    id_ = *fresh;
  }
}

Result<size_t> RemoveLocks(Repository& repo, bool all) {
  ASSIGN_OR_RETURN(auto locks, ListLocks(repo));
  int64_t now = NowUnixNanos();
  size_t removed = 0;
  for (const auto& lock : locks) {
    if (!all && !lock.info.IsStale(now)) continue;
    RETURN_IF_ERROR(repo.RemoveFile(FileKind::kLock, lock.id));
    ++removed;
  }
  return removed;
}

}  // namespace arkiv::repo
