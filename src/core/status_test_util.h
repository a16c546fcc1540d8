// Helpers for tests that check Status and Result values. Header only, so no
// library links gtest; include it from *_test.cc files only.
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
