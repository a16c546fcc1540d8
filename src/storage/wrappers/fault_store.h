// A Store that forwards to another one and injects faults, for tests: make
// any call fail, slow down, hang until the test lets it go, or return (or
// write) bytes with one byte flipped.
//
// Rules say which calls they apply to (operations, object-name prefix and
// substring; for List the name is its prefix argument) and what happens:
//
//   FaultStore store(std::make_shared<MemoryStore>());
//   store.AddRule(FaultRule::Fail(Code::kUnavailable).On(Operation::kPut).Times(3));
//   store.AddRule(FaultRule::Corrupt().WithPrefix("data/"));
//   auto gate = store.AddRule(FaultRule::Hang().On(Operation::kGet));
//   ... store.WaitForHung(gate, 1, 1s); store.Release(gate);
//
// Every rule that matches a call and fires acts on it, in the order the
// rules were added: delays and hangs wait, then the call goes on; a failure
// ends it at once (or, AfterCall(), once the wrapped store has done the
// work: a lost reply); corruption flips one byte of what Put writes or Get
// returns (an empty object cannot be corrupted). A rule fires on at most
// Times(n) calls, each time with its probability, drawn from a generator
// seeded at construction, so a single-threaded test is reproducible.
//
// With no rules it behaves exactly like the wrapped store.
// Thread safety: all methods may be called concurrently. The FaultStore must
// outlive the calls in progress, including hung ones.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>

#include "storage/store.h"
#include "storage/wrappers/operation.h"

namespace arkiv::storage {

enum class FaultKind : uint8_t { kFail, kDelay, kHang, kCorrupt };

struct FaultRule {
  static constexpr uint64_t kAlways = std::numeric_limits<uint64_t>::max();

  // Fail with `code`; Delay by `delay`; Hang until FaultStore::Release;
  // Corrupt a byte of what Get returns (add On(kPut) to corrupt writes).
  static FaultRule Fail(Code code);
  static FaultRule Delay(std::chrono::nanoseconds delay);
  static FaultRule Hang();
  static FaultRule Corrupt();

  // Adds `op` to the operations the rule applies to (none added: all of
  // them; Corrupt starts with kGet and only ever applies to kGet and kPut).
  FaultRule& On(Operation op);
  FaultRule& WithPrefix(std::string name_prefix);
  FaultRule& Containing(std::string name_part);
  // Fires on the first `n` matching calls only.
  FaultRule& Times(uint64_t n);
  // Fires on each matching call with probability `p` in [0, 1].
  FaultRule& WithProbability(double p);
  // kFail only: forward the call first and fail afterwards.
  FaultRule& AfterCall();

  FaultKind kind = FaultKind::kFail;
  Code code = Code::kUnavailable;
  std::chrono::nanoseconds delay{0};
  bool after_call = false;
  uint32_t operations = 0;  // bit (1 << Operation); 0 means every operation
  std::string prefix;
  std::string substring;
  uint64_t times = kAlways;
  double probability = 1.0;
};

class FaultStore : public Store {
 public:
  using RuleId = uint64_t;

  explicit FaultStore(std::shared_ptr<Store> inner, uint64_t seed = 1);

  // Rules act in the order they were added.
  RuleId AddRule(FaultRule rule);
  // Removes a rule; calls hung on it go on.
  void RemoveRule(RuleId id);
  void ClearRules();
  // Lets calls hung on a kHang rule go on; from now on the rule never fires.
  void Release(RuleId id);
  // Waits until at least `count` calls hang on the rule; false on timeout.
  bool WaitForHung(RuleId id, size_t count, std::chrono::milliseconds timeout);

  // How often a rule fired (0 for an unknown or removed rule).
  uint64_t Fired(RuleId id) const;
  // Calls of `op` made to this store, faulted or not.
  uint64_t Calls(Operation op) const;
  void ResetCalls();

  std::string Location() const override { return inner_->Location(); }
  StoreCapabilities Capabilities() const override { return inner_->Capabilities(); }
  Status Put(std::string_view name, ByteView data, PutMode mode = PutMode::kReplace) override;
  Result<Bytes> Get(std::string_view name, uint64_t offset = 0, uint64_t length = kToEnd) override;
  Result<ObjectInfo> Stat(std::string_view name) override;
  Status List(std::string_view prefix, const std::function<Status(const ObjectInfo&)>& fn) override;
  Status Remove(std::string_view name) override;
  Status RefreshRetention(std::string_view name) override { return inner_->RefreshRetention(name); }
  Status CreateLocation() override { return inner_->CreateLocation(); }

 private:
  struct RuleState {
    FaultRule rule;
    uint64_t fired = 0;
    size_t hung = 0;
    bool released = false;
  };
  // What the rules decided for one call, beyond the waiting already done.
  struct Plan {
    bool corrupt = false;
    uint64_t corrupt_draw = 0;  // picks the byte to flip
    std::optional<Error> fail_after;
  };

  // Counts the call and applies the rules that act before it; returns the
  // error of a rule that fails it now.
  Result<Plan> Before(Operation op, std::string_view name);
  bool Matches(const FaultRule& rule, Operation op, std::string_view name) const;
  // REQUIRES: mutex_ held. Counts a firing unless times or chance say no.
  bool Fires(RuleState& state);
  // REQUIRES: `lock` holds mutex_. Waits until the rule is released or gone.
  void Hang(std::unique_lock<std::mutex>& lock, RuleId id);
  Error Injected(const FaultRule& rule, Operation op, std::string_view name) const;
  static void Flip(Bytes& data, uint64_t draw);

  std::shared_ptr<Store> inner_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;  // a hang was released or a call hung
  std::map<RuleId, RuleState> rules_;
  RuleId next_id_ = 1;
  std::mt19937_64 random_;
  std::array<std::atomic<uint64_t>, kOperationCount> calls_{};
};

}  // namespace arkiv::storage
