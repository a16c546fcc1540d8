#include "storage/wrappers/retry_store.h"

#include <gtest/gtest.h>

#include "core/status_test_util.h"
#include "storage/backends/memory_store.h"
#include "storage/testing/conformance.h"
#include "storage/wrappers/fault_store.h"

namespace {

arkiv::storage::RetryPolicy NoWaiting(int attempts) {
  return {.max_attempts = attempts, .base_delay = {}, .max_delay = {}, .sleep = [](auto) {}, .seed = 1};
}

}  // namespace

ARKIV_STORE_CONFORMANCE(Retry, [] {
  using namespace arkiv::storage;
  return std::make_shared<RetryStore>(std::make_shared<MemoryStore>(), NoWaiting(3));
});

// Transient faults everywhere, some after the work was done (lost replies):
// the retrying store must hide them all and still keep every promise.
ARKIV_STORE_CONFORMANCE(RetryOverFaults, [] {
  using namespace arkiv::storage;
  auto faults = std::make_shared<FaultStore>(std::make_shared<MemoryStore>(), 12345);
  faults->AddRule(FaultRule::Fail(arkiv::Code::kUnavailable).WithProbability(0.15));
  faults->AddRule(FaultRule::Fail(arkiv::Code::kResourceExhausted).WithProbability(0.05));
  auto lost_reply = FaultRule::Fail(arkiv::Code::kUnavailable).AfterCall().WithProbability(0.15);
  faults->AddRule(lost_reply.On(Operation::kPut).On(Operation::kGet).On(Operation::kStat).On(Operation::kList));
  return std::make_shared<RetryStore>(faults, NoWaiting(40));
});

namespace arkiv::storage {
namespace {

using namespace std::chrono_literals;

class RetryStoreTest : public ::testing::Test {
 protected:
  RetryStore MakeRetry(int attempts) {
    RetryPolicy policy = NoWaiting(attempts);
    policy.sleep = [this](std::chrono::nanoseconds d) { sleeps_.push_back(d); };
    return RetryStore(faults_, policy);
  }

  std::shared_ptr<MemoryStore> memory_ = std::make_shared<MemoryStore>();
  std::shared_ptr<FaultStore> faults_ = std::make_shared<FaultStore>(memory_);
  std::vector<std::chrono::nanoseconds> sleeps_;
};

TEST_F(RetryStoreTest, PutThatFailsThreeTimesThenSucceeds) {
  faults_->AddRule(FaultRule::Fail(Code::kUnavailable).On(Operation::kPut).Times(3));
  RetryStore store = MakeRetry(5);
  ASSERT_TRUE(store.Put("data/x", AsBytes("payload")));
  EXPECT_EQ(faults_->Calls(Operation::kPut), 4u);
  EXPECT_EQ(sleeps_.size(), 3u);
  EXPECT_EQ(*memory_->Get("data/x"), ToBytes("payload"));
}

TEST_F(RetryStoreTest, ResourceExhaustedIsRetriedToo) {
  faults_->AddRule(FaultRule::Fail(Code::kResourceExhausted).On(Operation::kStat).Times(2));
  ASSERT_TRUE(memory_->Put("x", AsBytes("12345")));
  RetryStore store = MakeRetry(3);
  auto info = store.Stat("x");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->size, 5u);
  EXPECT_EQ(faults_->Calls(Operation::kStat), 3u);
}

TEST_F(RetryStoreTest, PermissionDeniedIsNotRetried) {
  faults_->AddRule(FaultRule::Fail(Code::kPermissionDenied).On(Operation::kGet));
  RetryStore store = MakeRetry(5);
  auto got = store.Get("data/x");
  EXPECT_EQ(CodeOf(got), Code::kPermissionDenied);
  EXPECT_EQ(faults_->Calls(Operation::kGet), 1u);
  EXPECT_TRUE(sleeps_.empty());
  EXPECT_EQ(got.error().message().find("attempts"), std::string::npos);  // returned untouched
}

TEST_F(RetryStoreTest, NoOtherCodeIsRetried) {
  for (Code code : {Code::kNotFound, Code::kPermissionDenied, Code::kInvalidArgument, Code::kAlreadyExists,
                    Code::kDataLoss, Code::kFailedPrecondition, Code::kAborted, Code::kInternal, Code::kCancelled}) {
    faults_->ClearRules();
    faults_->ResetCalls();
    faults_->AddRule(FaultRule::Fail(code));
    RetryStore store = MakeRetry(5);
    EXPECT_EQ(CodeOf(store.Put("a", AsBytes("x"))), code);
    EXPECT_EQ(CodeOf(store.Get("a")), code);
    EXPECT_EQ(CodeOf(store.Stat("a")), code);
    EXPECT_EQ(CodeOf(store.List("", [](const ObjectInfo&) { return OkStatus(); })), code);
    EXPECT_EQ(CodeOf(store.Remove("a")), code);
    for (size_t op = 0; op < kOperationCount; ++op) {
      EXPECT_EQ(faults_->Calls(static_cast<Operation>(op)), 1u) << CodeName(code) << " " << op;
    }
  }
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(RetryStoreTest, NotFoundFromTheStoreIsReturnedAtOnce) {
  RetryStore store = MakeRetry(5);
  EXPECT_EQ(CodeOf(store.Get("missing")), Code::kNotFound);
  EXPECT_EQ(CodeOf(store.Remove("missing")), Code::kNotFound);
  EXPECT_EQ(faults_->Calls(Operation::kGet), 1u);
  EXPECT_EQ(faults_->Calls(Operation::kRemove), 1u);
}

TEST_F(RetryStoreTest, ExhaustedAttemptsReturnTheLastErrorWithContext) {
  faults_->AddRule(FaultRule::Fail(Code::kUnavailable).On(Operation::kPut));
  RetryStore store = MakeRetry(4);
  auto st = store.Put("data/x", AsBytes("x"));
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), Code::kUnavailable);
  EXPECT_NE(st.error().message().find("put data/x: gave up after 4 attempts: "), std::string::npos)
      << st.error().message();
  EXPECT_NE(st.error().message().find("injected fault"), std::string::npos);  // the store's own words
  EXPECT_EQ(faults_->Calls(Operation::kPut), 4u);
  EXPECT_EQ(sleeps_.size(), 3u);  // no wait after the last attempt
  EXPECT_EQ(memory_->ObjectCount(), 0u);
}

TEST_F(RetryStoreTest, OneAttemptMeansNoRetry) {
  faults_->AddRule(FaultRule::Fail(Code::kUnavailable));
  for (int attempts : {1, 0, -3}) {
    faults_->ResetCalls();
    RetryStore store = MakeRetry(attempts);
    EXPECT_EQ(CodeOf(store.Stat("x")), Code::kUnavailable);
    EXPECT_EQ(faults_->Calls(Operation::kStat), 1u) << attempts;
  }
}

TEST_F(RetryStoreTest, BackoffCapDoublesUpToTheMaximum) {
  RetryPolicy policy{.base_delay = 10ms, .max_delay = 75ms};
  RetryStore store(memory_, policy);
  EXPECT_EQ(store.BackoffCap(1), 10ms);
  EXPECT_EQ(store.BackoffCap(2), 20ms);
  EXPECT_EQ(store.BackoffCap(3), 40ms);
  EXPECT_EQ(store.BackoffCap(4), 75ms);
  EXPECT_EQ(store.BackoffCap(5), 75ms);
  EXPECT_EQ(store.BackoffCap(1000), 75ms);  // no overflow
  RetryStore huge(memory_, RetryPolicy{.base_delay = 1h, .max_delay = std::chrono::nanoseconds::max()});
  EXPECT_EQ(huge.BackoffCap(1000), std::chrono::nanoseconds::max());
}

TEST_F(RetryStoreTest, WaitsAreFullyJitteredBelowTheCap) {
  faults_->AddRule(FaultRule::Fail(Code::kUnavailable));
  RetryPolicy policy{.max_attempts = 8, .base_delay = 1ms, .max_delay = 8ms, .seed = 99};
  policy.sleep = [this](std::chrono::nanoseconds d) { sleeps_.push_back(d); };
  RetryStore store(faults_, policy);
  for (int i = 0; i < 50; ++i) ASSERT_FALSE(store.Stat("x"));
  ASSERT_EQ(sleeps_.size(), 50u * 7);
  std::chrono::nanoseconds total{0}, total_caps{0};
  for (size_t i = 0; i < sleeps_.size(); ++i) {
    auto cap = store.BackoffCap(static_cast<int>(i % 7) + 1);
    EXPECT_GE(sleeps_[i].count(), 0);
    EXPECT_LE(sleeps_[i], cap) << i;
    total += sleeps_[i];
    total_caps += cap;
  }
  // Uniform in [0, cap]: about half the caps in all, never all or nothing.
  double ratio = static_cast<double>(total.count()) / static_cast<double>(total_caps.count());
  EXPECT_GT(ratio, 0.4);
  EXPECT_LT(ratio, 0.6);
  EXPECT_NE(sleeps_[0], sleeps_[7]);
}

TEST_F(RetryStoreTest, RealWaitsWhenNoSleepIsGiven) {
  faults_->AddRule(FaultRule::Fail(Code::kUnavailable).Times(2));
  ASSERT_TRUE(memory_->Put("x", AsBytes("x")));
  RetryStore store(faults_, RetryPolicy{.max_attempts = 3, .base_delay = 1ms, .max_delay = 2ms});
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(store.Get("x"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST_F(RetryStoreTest, CreateOnlyWhoseReplyWasLostSucceeds) {
  faults_->AddRule(FaultRule::Fail(Code::kUnavailable).AfterCall().On(Operation::kPut).Times(1));
  RetryStore store = MakeRetry(3);
  ASSERT_TRUE(store.Put("locks/mine", AsBytes("host-a pid 1"), PutMode::kCreateOnly));
  EXPECT_EQ(faults_->Calls(Operation::kPut), 2u);
  EXPECT_EQ(*memory_->Get("locks/mine"), ToBytes("host-a pid 1"));
}

TEST_F(RetryStoreTest, CreateOnlyAgainstSomeoneElsesObjectStillFails) {
  ASSERT_TRUE(memory_->Put("locks/taken", AsBytes("host-b pid 2")));
  faults_->AddRule(FaultRule::Fail(Code::kUnavailable).On(Operation::kPut).Times(1));
  RetryStore store = MakeRetry(3);
  EXPECT_EQ(CodeOf(store.Put("locks/taken", AsBytes("host-a pid 1"), PutMode::kCreateOnly)), Code::kAlreadyExists);
  EXPECT_EQ(*memory_->Get("locks/taken"), ToBytes("host-b pid 2"));
}

TEST_F(RetryStoreTest, CreateOnlyOfExistingBytesWithoutRetryStillFails) {
  // Only a retry can meet its own earlier write; a first attempt cannot.
  ASSERT_TRUE(memory_->Put("config", AsBytes("same")));
  RetryStore store = MakeRetry(3);
  EXPECT_EQ(CodeOf(store.Put("config", AsBytes("same"), PutMode::kCreateOnly)), Code::kAlreadyExists);
  EXPECT_EQ(faults_->Calls(Operation::kGet), 0u);
}

TEST_F(RetryStoreTest, ListRetriedAfterAPartialListingReportsEachObjectOnce) {
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(memory_->Put("index/" + std::to_string(i), AsBytes("i")));
  faults_->AddRule(FaultRule::Fail(Code::kUnavailable).AfterCall().On(Operation::kList).Times(2));
  RetryStore store = MakeRetry(3);
  std::multiset<std::string> seen;
  ASSERT_TRUE(store.List("index/", [&](const ObjectInfo& info) {
    seen.insert(info.name);
    return OkStatus();
  }));
  EXPECT_EQ(seen.size(), 10u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 10u);
  EXPECT_EQ(faults_->Calls(Operation::kList), 3u);
}

TEST_F(RetryStoreTest, ErrorsOfTheListCallbackAreNotRetried) {
  ASSERT_TRUE(memory_->Put("a", AsBytes("1")));
  ASSERT_TRUE(memory_->Put("b", AsBytes("2")));
  RetryStore store = MakeRetry(5);
  int calls = 0;
  auto st = store.List("", [&](const ObjectInfo&) -> Status {
    ++calls;
    return Fail(Code::kUnavailable, "the consumer is down");  // retryable code, but not the store's
  });
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message(), "the consumer is down");
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(faults_->Calls(Operation::kList), 1u);

  // Even when the store then garbles its reply, the callback's error wins.
  faults_->AddRule(FaultRule::Fail(Code::kUnavailable).AfterCall().On(Operation::kList));
  st = store.List("", [&](const ObjectInfo&) -> Status { return Fail(Code::kCancelled, "stop"); });
  EXPECT_EQ(CodeOf(st), Code::kCancelled);
}

TEST(RetryPolicyTest, MaxAttemptsFromTheEnvironment) {
  ::unsetenv("ARKIV_RETRY_MAX_ATTEMPTS");
  EXPECT_EQ(RetryPolicyFromEnvironment()->max_attempts, RetryPolicy().max_attempts);
  ::setenv("ARKIV_RETRY_MAX_ATTEMPTS", "2", 1);
  EXPECT_EQ(RetryPolicyFromEnvironment()->max_attempts, 2);
  for (const char* bad : {"0", "101", "two", "2x", "-1"}) {
    ::setenv("ARKIV_RETRY_MAX_ATTEMPTS", bad, 1);
    auto policy = RetryPolicyFromEnvironment();
    EXPECT_EQ(CodeOf(policy), Code::kInvalidArgument) << bad;
    if (!policy) {
      EXPECT_NE(policy.error().message().find("ARKIV_RETRY_MAX_ATTEMPTS"), std::string::npos);
    }
  }
  ::unsetenv("ARKIV_RETRY_MAX_ATTEMPTS");
}

TEST_F(RetryStoreTest, RemoveIsRetried) {
  ASSERT_TRUE(memory_->Put("locks/x", AsBytes("l")));
  faults_->AddRule(FaultRule::Fail(Code::kUnavailable).On(Operation::kRemove).Times(2));
  RetryStore store = MakeRetry(3);
  EXPECT_TRUE(store.Remove("locks/x"));
  EXPECT_EQ(memory_->ObjectCount(), 0u);
}

}  // namespace
}  // namespace arkiv::storage
