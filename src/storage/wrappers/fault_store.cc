#include "storage/wrappers/fault_store.h"

#include <fmt/format.h>

#include <thread>

namespace arkiv::storage {
namespace {

constexpr uint32_t Bit(Operation op) { return 1u << static_cast<unsigned>(op); }

}  // namespace

FaultRule FaultRule::Fail(Code code) {
  FaultRule rule;
  rule.kind = FaultKind::kFail;
  rule.code = code;
  return rule;
}

FaultRule FaultRule::Delay(std::chrono::nanoseconds delay) {
  FaultRule rule;
  rule.kind = FaultKind::kDelay;
  rule.delay = delay;
  return rule;
}

FaultRule FaultRule::Hang() {
  FaultRule rule;
  rule.kind = FaultKind::kHang;
  return rule;
}

FaultRule FaultRule::Corrupt() {
  FaultRule rule;
  rule.kind = FaultKind::kCorrupt;
  rule.operations = Bit(Operation::kGet);
  return rule;
}

FaultRule& FaultRule::On(Operation op) {
  operations |= Bit(op);
  return *this;
}
FaultRule& FaultRule::WithPrefix(std::string name_prefix) {
  prefix = std::move(name_prefix);
  return *this;
}
FaultRule& FaultRule::Containing(std::string name_part) {
  substring = std::move(name_part);
  return *this;
}
FaultRule& FaultRule::Times(uint64_t n) {
  times = n;
  return *this;
}
FaultRule& FaultRule::WithProbability(double p) {
  probability = p;
  return *this;
}
FaultRule& FaultRule::AfterCall() {
  after_call = true;
  return *this;
}

FaultStore::FaultStore(std::shared_ptr<Store> inner, uint64_t seed) : inner_(std::move(inner)), random_(seed) {}

FaultStore::RuleId FaultStore::AddRule(FaultRule rule) {
  std::lock_guard lock(mutex_);
  RuleId id = next_id_++;
  rules_.emplace(id, RuleState{.rule = std::move(rule)});
  return id;
}

void FaultStore::RemoveRule(RuleId id) {
  {
    std::lock_guard lock(mutex_);
    rules_.erase(id);
  }
  changed_.notify_all();
}

void FaultStore::ClearRules() {
  {
    std::lock_guard lock(mutex_);
    rules_.clear();
  }
  changed_.notify_all();
}

void FaultStore::Release(RuleId id) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = rules_.find(id); it != rules_.end()) it->second.released = true;
  }
  changed_.notify_all();
}

bool FaultStore::WaitForHung(RuleId id, size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] {
    auto it = rules_.find(id);
    return it != rules_.end() && it->second.hung >= count;
  });
}

uint64_t FaultStore::Fired(RuleId id) const {
  std::lock_guard lock(mutex_);
  auto it = rules_.find(id);
  return it == rules_.end() ? 0 : it->second.fired;
}

uint64_t FaultStore::Calls(Operation op) const { return calls_[static_cast<size_t>(op)].load(); }

void FaultStore::ResetCalls() {
  for (auto& c : calls_) c = 0;
}

bool FaultStore::Matches(const FaultRule& rule, Operation op, std::string_view name) const {
  if (rule.operations != 0 && (rule.operations & Bit(op)) == 0) return false;
  if (rule.kind == FaultKind::kCorrupt && op != Operation::kGet && op != Operation::kPut) return false;
  return name.starts_with(rule.prefix) && name.find(rule.substring) != std::string_view::npos;
}

bool FaultStore::Fires(RuleState& state) {
  if (state.released || state.fired >= state.rule.times) return false;
  if (state.rule.probability < 1.0) {
    // 53 random bits give a uniform double in [0, 1), the same on every platform.
    double draw = static_cast<double>(random_() >> 11) * 0x1.0p-53;
    if (draw >= state.rule.probability) return false;
  }
  ++state.fired;
  return true;
}

void FaultStore::Hang(std::unique_lock<std::mutex>& lock, RuleId id) {
  rules_.at(id).hung++;
  changed_.notify_all();
  changed_.wait(lock, [&] {
    auto it = rules_.find(id);
    return it == rules_.end() || it->second.released;
  });
  if (auto it = rules_.find(id); it != rules_.end()) it->second.hung--;
}

Error FaultStore::Injected(const FaultRule& rule, Operation op, std::string_view name) const {
  return Error(rule.code, fmt::format("{}: {} {}: injected fault ({})", inner_->Location(), OperationName(op), name,
                                      CodeName(rule.code)));
}

Result<FaultStore::Plan> FaultStore::Before(Operation op, std::string_view name) {
  calls_[static_cast<size_t>(op)].fetch_add(1);
  Plan plan;
  std::unique_lock lock(mutex_);
  // By id rather than by iterator: the lock is let go while a call waits,
  // and rules may be added or removed meanwhile.
  for (RuleId next = 0;;) {
    auto it = rules_.lower_bound(next);
    if (it == rules_.end()) break;
    RuleId id = it->first;
    next = id + 1;
    RuleState& state = it->second;
    if (!Matches(state.rule, op, name) || !Fires(state)) continue;
    switch (state.rule.kind) {
      case FaultKind::kFail:
        if (!state.rule.after_call) return Fail(Injected(state.rule, op, name));
        if (!plan.fail_after) plan.fail_after = Injected(state.rule, op, name);
        break;
      case FaultKind::kDelay: {
        auto delay = state.rule.delay;
        lock.unlock();
        std::this_thread::sleep_for(delay);
        lock.lock();
        break;
      }
      case FaultKind::kHang: Hang(lock, id); break;
      case FaultKind::kCorrupt:
        plan.corrupt = true;
        plan.corrupt_draw = random_();
        break;
    }
  }
  return plan;
}

void FaultStore::Flip(Bytes& data, uint64_t draw) {
  if (!data.empty()) data[draw % data.size()] ^= 0xff;
}

Status FaultStore::Put(std::string_view name, ByteView data, PutMode mode) {
  ASSIGN_OR_RETURN(Plan plan, Before(Operation::kPut, name));
  Status st;
  if (plan.corrupt) {
    Bytes damaged(data.begin(), data.end());
    Flip(damaged, plan.corrupt_draw);
    st = inner_->Put(name, damaged, mode);
  } else {
    st = inner_->Put(name, data, mode);
  }
  if (plan.fail_after) return Fail(*plan.fail_after);
  return st;
}

Result<Bytes> FaultStore::Get(std::string_view name, uint64_t offset, uint64_t length) {
  ASSIGN_OR_RETURN(Plan plan, Before(Operation::kGet, name));
  auto got = inner_->Get(name, offset, length);
  if (plan.fail_after) return Fail(*plan.fail_after);
  if (got && plan.corrupt) Flip(*got, plan.corrupt_draw);
  return got;
}

Result<ObjectInfo> FaultStore::Stat(std::string_view name) {
  ASSIGN_OR_RETURN(Plan plan, Before(Operation::kStat, name));
  auto info = inner_->Stat(name);
  if (plan.fail_after) return Fail(*plan.fail_after);
  return info;
}

Status FaultStore::List(std::string_view prefix, const std::function<Status(const ObjectInfo&)>& fn) {
  ASSIGN_OR_RETURN(Plan plan, Before(Operation::kList, prefix));
  auto st = inner_->List(prefix, fn);
  if (plan.fail_after) return Fail(*plan.fail_after);
  return st;
}

Status FaultStore::Remove(std::string_view name) {
  ASSIGN_OR_RETURN(Plan plan, Before(Operation::kRemove, name));
  auto st = inner_->Remove(name);
  if (plan.fail_after) return Fail(*plan.fail_after);
  return st;
}

}  // namespace arkiv::storage
