// Helpers for the placement unit tests (header only; include from *_test.cc).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>

#include "core/bytes.h"
#include "core/status.h"
#include "core/status_test_util.h"

#define PLACEMENT_ASSERT_OK(expr)                                                         \
  do {                                                                                    \
    const auto& arkiv_test_result_ = (expr);                                              \
    ASSERT_TRUE(arkiv_test_result_.has_value()) << arkiv_test_result_.error().ToString(); \
  } while (false)

// `PLACEMENT_ASSERT_OK_AND_ASSIGN(auto x, Foo())`: declares x from a successful Result.
#define PLACEMENT_ASSERT_OK_AND_ASSIGN(lhs, expr) \
  PLACEMENT_ASSERT_OK_AND_ASSIGN_IMPL(ARKIV_CONCAT(arkiv_test_value_, __LINE__), lhs, expr)
#define PLACEMENT_ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                        \
  ASSERT_TRUE(tmp.has_value()) << tmp.error().ToString();   \
  lhs = std::move(*tmp)

namespace arkiv::placement::testing {

// Deterministic bytes with no structure (mt19937_64).
inline Bytes RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Bytes out(n);
  for (size_t i = 0; i < n; i += 8) {
    uint64_t z = rng();
    for (size_t b = 0; b < 8 && i + b < n; ++b) out[i + b] = static_cast<uint8_t>(z >> (8 * b));
  }
  return out;
}

// Passes when `result` failed with `code` and its message contains `text`.
template <typename T>
::testing::AssertionResult FailedWith(const std::expected<T, Error>& result, Code code, const std::string& text = "") {
  if (result.has_value()) return ::testing::AssertionFailure() << "succeeded; expected " << CodeName(code);
  if (result.error().code() != code || result.error().message().find(text) == std::string::npos) {
    return ::testing::AssertionFailure() << "failed with " << result.error().ToString() << "; expected "
                                         << CodeName(code) << " mentioning \"" << text << "\"";
  }
  return ::testing::AssertionSuccess();
}

}  // namespace arkiv::placement::testing
