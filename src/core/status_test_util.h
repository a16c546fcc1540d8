// Helpers for tests that check Status and Result values. Header only, so no
// library links gtest; include it from *_test.cc files only (after gtest).
#pragma once

#include <ostream>

#include "core/status.h"

namespace arkiv {

// The code of a result: kOk on success. Unlike result.error().code(), it is
// defined when an operation that should fail succeeds, so such a test fails
// with a readable message instead of reading garbage.
template <typename T>
Code CodeOf(const std::expected<T, Error>& result) {
  return result ? Code::kOk : result.error().code();
}

// gtest prints values through PrintTo found by argument-dependent lookup.
inline void PrintTo(Code code, std::ostream* os) { *os << CodeName(code); }
inline void PrintTo(const Error& error, std::ostream* os) {
  *os << CodeName(error.code()) << ": " << error.message();
}

}  // namespace arkiv

// Asserts that a Status or Result succeeded, printing its error otherwise.
#define ASSERT_OK(expr)                                                                   \
  do {                                                                                    \
    const auto& arkiv_test_result_ = (expr);                                              \
    ASSERT_TRUE(arkiv_test_result_.has_value()) << arkiv_test_result_.error().ToString(); \
  } while (false)
#define EXPECT_OK(expr)                                                                   \
  do {                                                                                    \
    const auto& arkiv_test_result_ = (expr);                                              \
    EXPECT_TRUE(arkiv_test_result_.has_value()) << arkiv_test_result_.error().ToString(); \
  } while (false)

// `ASSERT_OK_AND_ASSIGN(auto x, Foo())`: declares x from a successful Result.
#define ASSERT_OK_AND_ASSIGN(lhs, expr) ASSERT_OK_AND_ASSIGN_IMPL(ARKIV_CONCAT(arkiv_test_value_, __LINE__), lhs, expr)
// `tmp` is a name and `lhs` a declaration: neither can be parenthesized.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, expr)         \
  auto tmp = (expr);                                      \
  ASSERT_TRUE(tmp.has_value()) << tmp.error().ToString(); \
  lhs = std::move(*tmp)
// NOLINTEND(bugprone-macro-parentheses)
