#include "storage/wrappers/fault_store.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "core/status_test_util.h"
#include "storage/backends/memory_store.h"
#include "storage/testing/conformance.h"

// With no rules a FaultStore is the store it wraps.
ARKIV_STORE_CONFORMANCE(Fault, [] {
  return std::make_shared<arkiv::storage::FaultStore>(std::make_shared<arkiv::storage::MemoryStore>());
});

namespace arkiv::storage {
namespace {

using namespace std::chrono_literals;

class FaultStoreTest : public ::testing::Test {
 protected:
  std::shared_ptr<MemoryStore> memory_ = std::make_shared<MemoryStore>();
  FaultStore store_{memory_, 7};
};

TEST_F(FaultStoreTest, FailsTheFirstNCallsThenPasses) {
  auto id = store_.AddRule(FaultRule::Fail(Code::kUnavailable).On(Operation::kPut).Times(3));
  for (int i = 0; i < 3; ++i) {
    auto st = store_.Put("data/x", AsBytes("x"));
    EXPECT_EQ(CodeOf(st), Code::kUnavailable) << i;
    EXPECT_EQ(memory_->ObjectCount(), 0u) << "a failed put must not reach the store";
  }
  EXPECT_TRUE(store_.Put("data/x", AsBytes("x")));
  EXPECT_TRUE(store_.Put("data/y", AsBytes("y")));
  EXPECT_EQ(store_.Fired(id), 3u);
  EXPECT_EQ(store_.Calls(Operation::kPut), 5u);
  EXPECT_EQ(memory_->ObjectCount(), 2u);
}

TEST_F(FaultStoreTest, AlwaysFailingRuleKeepsFailingUntilRemoved) {
  auto id = store_.AddRule(FaultRule::Fail(Code::kPermissionDenied));
  for (int i = 0; i < 10; ++i) EXPECT_EQ(CodeOf(store_.Stat("a")), Code::kPermissionDenied);
  auto got = store_.Get("a");
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message().find("injected fault"), std::string::npos);
  EXPECT_NE(got.error().message().find("get a"), std::string::npos);
  store_.RemoveRule(id);
  EXPECT_EQ(CodeOf(store_.Stat("a")), Code::kNotFound);  // now the real answer
  EXPECT_EQ(store_.Fired(id), 0u);                       // removed rules report nothing
}

TEST_F(FaultStoreTest, RulesMatchOperationPrefixAndSubstring) {
  ASSERT_TRUE(memory_->Put("locks/a", AsBytes("l")));
  ASSERT_TRUE(memory_->Put("data/secret/b", AsBytes("d")));
  ASSERT_TRUE(memory_->Put("data/plain/c", AsBytes("d")));
  store_.AddRule(FaultRule::Fail(Code::kUnavailable).WithPrefix("locks/"));
  store_.AddRule(FaultRule::Fail(Code::kDataLoss).On(Operation::kGet).Containing("secret"));
  store_.AddRule(FaultRule::Fail(Code::kResourceExhausted).On(Operation::kRemove).On(Operation::kList));

  EXPECT_EQ(CodeOf(store_.Get("locks/a")), Code::kUnavailable);
  EXPECT_EQ(CodeOf(store_.Stat("locks/a")), Code::kUnavailable);
  EXPECT_EQ(CodeOf(store_.Get("data/secret/b")), Code::kDataLoss);
  EXPECT_EQ(CodeOf(store_.Stat("data/secret/b")), Code::kOk);  // only Get is faulted there
  EXPECT_EQ(CodeOf(store_.Get("data/plain/c")), Code::kOk);
  EXPECT_EQ(CodeOf(store_.Remove("data/plain/c")), Code::kResourceExhausted);
  // For List the name matched is the prefix: "locks/" matches the first rule.
  EXPECT_EQ(CodeOf(store_.List("locks/", [](const ObjectInfo&) { return OkStatus(); })), Code::kUnavailable);
  EXPECT_EQ(CodeOf(store_.List("data/", [](const ObjectInfo&) { return OkStatus(); })), Code::kResourceExhausted);
  EXPECT_EQ(CodeOf(store_.Put("data/new", AsBytes("n"))), Code::kOk);
}

TEST_F(FaultStoreTest, ProbabilityIsRoughlyRightAndSeeded) {
  auto run = [](uint64_t seed) {
    FaultStore store(std::make_shared<MemoryStore>(), seed);
    store.AddRule(FaultRule::Fail(Code::kUnavailable).WithProbability(0.3));
    std::vector<bool> failed;
    for (int i = 0; i < 2000; ++i) failed.push_back(CodeOf(store.Stat("x")) == Code::kUnavailable);
    return failed;
  };
  auto a = run(1), b = run(1), c = run(2);
  EXPECT_EQ(a, b) << "same seed, same faults";
  EXPECT_NE(a, c);
  auto count = std::count(a.begin(), a.end(), true);
  EXPECT_GT(count, 500);  // expected 600
  EXPECT_LT(count, 700);

  store_.AddRule(FaultRule::Fail(Code::kUnavailable).WithProbability(0.0));
  for (int i = 0; i < 100; ++i) EXPECT_EQ(CodeOf(store_.Stat("x")), Code::kNotFound);
}

TEST_F(FaultStoreTest, AfterCallFailsOnceTheWorkIsDone) {
  auto id = store_.AddRule(FaultRule::Fail(Code::kUnavailable).AfterCall().On(Operation::kPut).Times(1));
  EXPECT_EQ(CodeOf(store_.Put("config", AsBytes("c"), PutMode::kCreateOnly)), Code::kUnavailable);
  // The reply was lost, but the object is there.
  EXPECT_EQ(*memory_->Get("config"), ToBytes("c"));
  EXPECT_EQ(CodeOf(store_.Put("config", AsBytes("c"), PutMode::kCreateOnly)), Code::kAlreadyExists);
  EXPECT_EQ(store_.Fired(id), 1u);

  // A listing that fails at the end has already reported its objects.
  store_.AddRule(FaultRule::Fail(Code::kUnavailable).AfterCall().On(Operation::kList));
  int listed = 0;
  auto st = store_.List("", [&](const ObjectInfo&) {
    ++listed;
    return OkStatus();
  });
  EXPECT_EQ(CodeOf(st), Code::kUnavailable);
  EXPECT_EQ(listed, 1);
}

TEST_F(FaultStoreTest, DelaySlowsMatchingCallsOnly) {
  ASSERT_TRUE(memory_->Put("slow/x", AsBytes("x")));
  ASSERT_TRUE(memory_->Put("fast/x", AsBytes("x")));
  store_.AddRule(FaultRule::Delay(150ms).WithPrefix("slow/"));
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(*store_.Get("slow/x"), ToBytes("x"));  // delayed, not failed
  EXPECT_GE(std::chrono::steady_clock::now() - start, 150ms);
  start = std::chrono::steady_clock::now();
  EXPECT_EQ(*store_.Get("fast/x"), ToBytes("x"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 150ms);
}

TEST_F(FaultStoreTest, HangBlocksUntilReleased) {
  ASSERT_TRUE(memory_->Put("data/x", AsBytes("payload")));
  auto gate = store_.AddRule(FaultRule::Hang().On(Operation::kGet));
  auto first = std::async(std::launch::async, [&] { return store_.Get("data/x"); });
  auto second = std::async(std::launch::async, [&] { return store_.Get("data/x"); });
  ASSERT_TRUE(store_.WaitForHung(gate, 2, 10s));
  EXPECT_EQ(first.wait_for(50ms), std::future_status::timeout);
  EXPECT_TRUE(store_.Stat("data/x"));  // other operations pass meanwhile
  store_.Release(gate);
  EXPECT_EQ(*first.get(), ToBytes("payload"));
  EXPECT_EQ(*second.get(), ToBytes("payload"));
  EXPECT_EQ(*store_.Get("data/x"), ToBytes("payload"));  // released for good
  EXPECT_EQ(store_.Fired(gate), 2u);
}

TEST_F(FaultStoreTest, RemovingAHangRuleReleasesItsCalls) {
  auto gate = store_.AddRule(FaultRule::Hang().On(Operation::kPut));
  auto put = std::async(std::launch::async, [&] { return store_.Put("p", AsBytes("v")); });
  ASSERT_TRUE(store_.WaitForHung(gate, 1, 10s));
  EXPECT_FALSE(store_.WaitForHung(gate, 2, 20ms));
  store_.RemoveRule(gate);
  EXPECT_TRUE(put.get());
  EXPECT_EQ(*memory_->Get("p"), ToBytes("v"));
}

size_t DifferingBytes(const Bytes& a, const Bytes& b) {
  EXPECT_EQ(a.size(), b.size());
  size_t n = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) n += a[i] != b[i];
  return n;
}

TEST_F(FaultStoreTest, CorruptFlipsOneByteOfWhatIsRead) {
  Bytes data = testing::Pattern(4096, 1);
  ASSERT_TRUE(memory_->Put("data/x", data));
  auto id = store_.AddRule(FaultRule::Corrupt().Times(2));
  for (int i = 0; i < 2; ++i) {
    auto got = store_.Get("data/x");
    ASSERT_TRUE(got);
    EXPECT_EQ(DifferingBytes(*got, data), 1u);
  }
  EXPECT_EQ(*store_.Get("data/x"), data);   // Times(2) is used up
  EXPECT_EQ(*memory_->Get("data/x"), data);  // the stored bytes were never touched
  EXPECT_EQ(store_.Fired(id), 2u);

  store_.AddRule(FaultRule::Corrupt());
  auto range = store_.Get("data/x", 100, 10);
  ASSERT_TRUE(range);
  EXPECT_EQ(DifferingBytes(*range, Bytes(data.begin() + 100, data.begin() + 110)), 1u);
  ASSERT_TRUE(memory_->Put("empty", ByteView()));
  EXPECT_EQ(*store_.Get("empty"), Bytes());  // nothing to flip
}

TEST_F(FaultStoreTest, CorruptOnPutDamagesTheStoredBytes) {
  store_.AddRule(FaultRule::Corrupt().On(Operation::kPut).WithPrefix("data/"));
  Bytes data = testing::Pattern(1000, 2);
  ASSERT_TRUE(store_.Put("data/x", data));  // silent, like bit rot
  ASSERT_TRUE(store_.Put("index/x", data));
  EXPECT_EQ(DifferingBytes(*memory_->Get("data/x"), data), 1u);
  EXPECT_EQ(*memory_->Get("index/x"), data);
  // A corrupt rule never applies to operations that carry no bytes.
  store_.AddRule(FaultRule::Corrupt().On(Operation::kStat));
  EXPECT_EQ(store_.Stat("index/x")->size, 1000u);
}

TEST_F(FaultStoreTest, RulesActInOrder) {
  auto delay = store_.AddRule(FaultRule::Delay(1ms));
  auto fail = store_.AddRule(FaultRule::Fail(Code::kUnavailable).Times(1));
  auto later = store_.AddRule(FaultRule::Fail(Code::kDataLoss));
  EXPECT_EQ(CodeOf(store_.Stat("x")), Code::kUnavailable);  // the first failure ends the call
  EXPECT_EQ(CodeOf(store_.Stat("x")), Code::kDataLoss);
  EXPECT_EQ(store_.Fired(delay), 2u);
  EXPECT_EQ(store_.Fired(fail), 1u);
  EXPECT_EQ(store_.Fired(later), 1u);
  store_.ClearRules();
  EXPECT_EQ(CodeOf(store_.Stat("x")), Code::kNotFound);
}

TEST_F(FaultStoreTest, CountsCallsPerOperation) {
  ASSERT_TRUE(store_.Put("a", AsBytes("1")));
  ASSERT_TRUE(store_.Put("b", AsBytes("2")));
  ASSERT_TRUE(store_.Get("a"));
  ASSERT_TRUE(store_.Stat("a"));
  ASSERT_TRUE(store_.Stat("b"));
  ASSERT_TRUE(store_.Stat("a"));
  ASSERT_TRUE(store_.List("", [](const ObjectInfo&) { return OkStatus(); }));
  ASSERT_TRUE(store_.Remove("a"));
  EXPECT_EQ(store_.Calls(Operation::kPut), 2u);
  EXPECT_EQ(store_.Calls(Operation::kGet), 1u);
  EXPECT_EQ(store_.Calls(Operation::kStat), 3u);
  EXPECT_EQ(store_.Calls(Operation::kList), 1u);
  EXPECT_EQ(store_.Calls(Operation::kRemove), 1u);
  store_.ResetCalls();
  EXPECT_EQ(store_.Calls(Operation::kStat), 0u);
  EXPECT_EQ(store_.Location(), memory_->Location());
}

TEST_F(FaultStoreTest, ConcurrentCallsAreCountedExactly) {
  auto id = store_.AddRule(FaultRule::Fail(Code::kUnavailable).Times(100));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        if (CodeOf(store_.Stat("x")) == Code::kUnavailable) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 100);
  EXPECT_EQ(store_.Fired(id), 100u);
  EXPECT_EQ(store_.Calls(Operation::kStat), 400u);
}

}  // namespace
}  // namespace arkiv::storage
