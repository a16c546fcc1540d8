// Coverage feedback for libFuzzer from code built by GCC.
//
// GCC has no -fsanitize=fuzzer, only -fsanitize-coverage=trace-pc (a call at
// every basic block) and trace-cmp. libFuzzer 14 still understands trace-cmp
// but no longer trace-pc, so this file implements __sanitizer_cov_trace_pc
// itself: each block's return address is hashed into a table of 8-bit
// counters that is registered with libFuzzer the way clang's inline-8bit-
// counters are. Collisions only blur coverage; they cannot break a run.
// libFuzzer's own __sanitizer_cov_trace_pc, which only prints "no longer
// supported" and exits, is made weak in the archive the fuzz targets link
// (fuzz/CMakeLists.txt), so this definition wins.
//
// Built without instrumentation (trace-pc here would recurse) and without
// sanitizers. The libFuzzer hooks are weak so that tools without libFuzzer
// (the corpus generator) can link this file too.
#include <cstddef>
#include <cstdint>

extern "C" {
__attribute__((weak)) void __sanitizer_cov_8bit_counters_init(uint8_t* begin, uint8_t* end);
__attribute__((weak)) void __sanitizer_cov_pcs_init(const uintptr_t* begin, const uintptr_t* end);
}

namespace {

constexpr unsigned kSlotBits = 16;
constexpr size_t kSlots = size_t{1} << kSlotBits;

uint8_t counters[kSlots];
// libFuzzer wants one (pc, flags) pair per counter to count "cov:"; the real
// addresses are not known ahead of time, so each slot stands for itself.
uintptr_t pc_table[2 * kSlots];

// Priority 101 runs before ordinary constructors, so code run from those is counted.
__attribute__((constructor(101))) void RegisterCounters() {
  for (size_t i = 0; i < kSlots; ++i) pc_table[2 * i] = i + 1;
  if (__sanitizer_cov_8bit_counters_init != nullptr) __sanitizer_cov_8bit_counters_init(counters, counters + kSlots);
  if (__sanitizer_cov_pcs_init != nullptr) __sanitizer_cov_pcs_init(pc_table, pc_table + 2 * kSlots);
}

}  // namespace

extern "C" {

void __sanitizer_cov_trace_pc() {
  auto pc = reinterpret_cast<uintptr_t>(__builtin_return_address(0));
  uint64_t slot = (static_cast<uint64_t>(pc) * 0x9e3779b97f4a7c15ull) >> (64 - kSlotBits);
  counters[slot]++;
}

// GCC's trace-cmp also reports floating-point comparisons, which libFuzzer
// does not take.
void __sanitizer_cov_trace_cmpf(float, float) {}
void __sanitizer_cov_trace_cmpd(double, double) {}

}  // extern "C"
