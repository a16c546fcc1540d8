#include "repo/lock.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "repo/repo_test_util.h"
#include "repo/system_info.h"
#include "storage/backends/memory_store.h"

namespace arkiv::repo {
namespace {

using arkiv::testing::FailedWith;
using arkiv::testing::kTestPassword;
using arkiv::testing::TestInitOptions;

// The pid of a process that has exited and been reaped.
pid_t DeadPid() {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return pid;
}

class LockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_shared<storage::MemoryStore>();
    auto repo = Repository::Init(store_, kTestPassword, TestInitOptions());
    ASSERT_TRUE(repo.has_value()) << repo.error().ToString();
    repo_ = std::move(*repo);
  }

  size_t LockCount() {
    auto ids = repo_->ListFiles(FileKind::kLock);
    EXPECT_TRUE(ids.has_value());
    return ids ? ids->size() : 0;
  }

  // Writes a lock as another process would.
  Id PlantLock(LockInfo info) {
    auto id = repo_->SaveFile(FileKind::kLock, info.Serialize());
    EXPECT_TRUE(id.has_value());
    return id.value_or(Id());
  }

  std::shared_ptr<storage::MemoryStore> store_;
  std::unique_ptr<Repository> repo_;
};

TEST_F(LockTest, ExclusiveExcludesShared) {
  ASSERT_OK_AND_ASSIGN(auto exclusive, RepositoryLock::Acquire(*repo_, true));
  auto shared = RepositoryLock::Acquire(*repo_, false);
  ASSERT_TRUE(FailedWith(shared, Code::kLockHeld));
  const std::string& message = shared.error().message();
  EXPECT_NE(message.find("exclusive lock by " + UserName() + "@" + HostName()), std::string::npos) << message;
  EXPECT_NE(message.find("pid " + std::to_string(::getpid())), std::string::npos) << message;
  EXPECT_TRUE(FailedWith(RepositoryLock::Acquire(*repo_, true), Code::kLockHeld));
  EXPECT_EQ(LockCount(), 1u);  // the failed attempts left nothing behind
}

TEST_F(LockTest, SharedExcludesExclusive) {
  ASSERT_OK_AND_ASSIGN(auto shared, RepositoryLock::Acquire(*repo_, false));
  auto exclusive = RepositoryLock::Acquire(*repo_, true);
  ASSERT_TRUE(FailedWith(exclusive, Code::kLockHeld));
  EXPECT_NE(exclusive.error().message().find("a shared lock by"), std::string::npos) << exclusive.error().message();
  EXPECT_EQ(LockCount(), 1u);
}

// Two-phase prune runs beside backups, but never beside another prune or an
// exclusive holder (design.md §11, §13).
TEST_F(LockTest, PruneLockCoexistsWithSharedOnly) {
  ASSERT_OK_AND_ASSIGN(auto backup, RepositoryLock::Acquire(*repo_, LockMode::kShared));
  ASSERT_OK_AND_ASSIGN(auto prune, RepositoryLock::Acquire(*repo_, LockMode::kPrune));
  auto second = RepositoryLock::Acquire(*repo_, LockMode::kPrune);
  ASSERT_TRUE(FailedWith(second, Code::kLockHeld));
  EXPECT_NE(second.error().message().find("a prune lock by"), std::string::npos) << second.error().message();
  EXPECT_TRUE(FailedWith(RepositoryLock::Acquire(*repo_, LockMode::kExclusive), Code::kLockHeld));
  EXPECT_EQ(LockCount(), 2u);
  backup.reset();
  prune.reset();
  ASSERT_OK_AND_ASSIGN(auto exclusive, RepositoryLock::Acquire(*repo_, LockMode::kExclusive));
  EXPECT_TRUE(FailedWith(RepositoryLock::Acquire(*repo_, LockMode::kPrune), Code::kLockHeld));
}

// An older arkiv reads only `exclusive`: a prune lock must look exclusive to it.
TEST(LockInfoTest, PruneLockIsExclusiveToOlderReaders) {
  LockInfo info{123, "h", "u", 1, false, true};
  Bytes bytes = info.Serialize();
  std::string json(AsString(bytes));
  EXPECT_NE(json.find("\"exclusive\":true"), std::string::npos) << json;
  ASSERT_OK_AND_ASSIGN(LockInfo back, LockInfo::Parse(info.Serialize()));
  EXPECT_TRUE(back.prune);
  EXPECT_FALSE(back.exclusive);
}

TEST_F(LockTest, TwoSharedLocksCoexist) {
  ASSERT_OK_AND_ASSIGN(auto first, RepositoryLock::Acquire(*repo_, false));
  ASSERT_OK_AND_ASSIGN(auto second, RepositoryLock::Acquire(*repo_, false));
  EXPECT_EQ(LockCount(), 2u);
  first.reset();
  EXPECT_EQ(LockCount(), 1u);
  EXPECT_TRUE(FailedWith(RepositoryLock::Acquire(*repo_, true), Code::kLockHeld));
  second.reset();
  EXPECT_OK(RepositoryLock::Acquire(*repo_, true));
}

TEST_F(LockTest, DestructionRemovesTheLock) {
  {
    ASSERT_OK_AND_ASSIGN(auto lock, RepositoryLock::Acquire(*repo_, true));
    EXPECT_EQ(LockCount(), 1u);
  }
  EXPECT_EQ(LockCount(), 0u);
  ASSERT_OK_AND_ASSIGN(auto again, RepositoryLock::Acquire(*repo_, true));
  EXPECT_EQ(LockCount(), 1u);
}

TEST_F(LockTest, LockOfADeadProcessOnThisHostIsStaleAndIgnored) {
  LockInfo dead{NowUnixNanos(), HostName(), UserName(), DeadPid(), true};
  EXPECT_TRUE(dead.IsStale(NowUnixNanos()));
  Id dead_id = PlantLock(dead);
  ASSERT_OK_AND_ASSIGN(auto lock, RepositoryLock::Acquire(*repo_, true));
  EXPECT_EQ(LockCount(), 2u);  // ignored, not removed
  lock.reset();
  ASSERT_OK_AND_ASSIGN(size_t removed, RemoveLocks(*repo_, false));
  EXPECT_EQ(removed, 1u);
  ASSERT_OK_AND_ASSIGN(auto ids, repo_->ListFiles(FileKind::kLock));
  EXPECT_TRUE(ids.empty());
  (void)dead_id;
}

TEST_F(LockTest, LiveLockOfThisProcessIsNotStale) {
  LockInfo live{NowUnixNanos(), HostName(), UserName(), ::getpid(), false};
  EXPECT_FALSE(live.IsStale(NowUnixNanos()));
}

TEST_F(LockTest, LockOfAnotherHostIsStaleOnlyWhenOld) {
  int64_t now = NowUnixNanos();
  int64_t stale_after = std::chrono::nanoseconds(kLockStaleAfter).count();
  // On another host the pid says nothing, whatever it is.
  LockInfo fresh{now - stale_after / 2, "elsewhere.example", "bob", DeadPid(), true};
  EXPECT_FALSE(fresh.IsStale(now));
  LockInfo old = fresh;
  old.time_ns = now - stale_after - 1'000'000'000;
  EXPECT_TRUE(old.IsStale(now));

  PlantLock(fresh);
  Id old_id = PlantLock(old);
  auto blocked = RepositoryLock::Acquire(*repo_, false);
  ASSERT_TRUE(FailedWith(blocked, Code::kLockHeld));
  EXPECT_NE(blocked.error().message().find("bob@elsewhere.example"), std::string::npos);

  ASSERT_OK_AND_ASSIGN(size_t removed, RemoveLocks(*repo_, false));
  EXPECT_EQ(removed, 1u);  // only the old one
  ASSERT_OK_AND_ASSIGN(auto ids, repo_->ListFiles(FileKind::kLock));
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_NE(ids[0], old_id);

  ASSERT_OK_AND_ASSIGN(removed, RemoveLocks(*repo_, true));
  EXPECT_EQ(removed, 1u);
  EXPECT_EQ(LockCount(), 0u);
  EXPECT_OK(RepositoryLock::Acquire(*repo_, true));
}

TEST_F(LockTest, AStaleSharedLockDoesNotBlockExclusive) {
  LockInfo dead{NowUnixNanos(), HostName(), UserName(), DeadPid(), false};
  PlantLock(dead);
  EXPECT_OK(RepositoryLock::Acquire(*repo_, true));
}

TEST(LockInfoTest, SerializeParseRoundTrip) {
  LockInfo info{1700000000123456789, "host", "user", 4242, true};
  ASSERT_OK_AND_ASSIGN(LockInfo parsed, LockInfo::Parse(info.Serialize()));
  EXPECT_EQ(parsed.time_ns, info.time_ns);
  EXPECT_EQ(parsed.host, "host");
  EXPECT_EQ(parsed.user, "user");
  EXPECT_EQ(parsed.pid, 4242);
  EXPECT_TRUE(parsed.exclusive);
}

TEST(LockInfoTest, ParseRejectsMalformedLocks) {
  for (std::string_view text :
       {"", "[]", "{}", "{\"time\":5}", "{\"time\":\"2024-01-01T00:00:00Z\",\"pid\":\"1\"}",
        "{\"time\":\"2024-01-01T00:00:00Z\",\"host\":[]}", "{\"time\":\"2024-01-01T00:00:00Z\",\"exclusive\":1}"}) {
    EXPECT_TRUE(FailedWith(LockInfo::Parse(AsBytes(text)), Code::kDataLoss)) << text;
  }
}

}  // namespace
}  // namespace arkiv::repo
