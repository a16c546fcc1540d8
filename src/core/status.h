// Error values for every layer of arkiv.
//
// A failed operation returns an `Error` inside `std::expected`. Codes follow
// abseil's meanings, chosen by what the caller should do next:
//   kUnavailable        retry the call later (network, server down, 5xx)
//   kResourceExhausted  back off, then retry (throttling, disk full)
//   kAborted            retry the whole operation (a race was lost)
//   kNotFound, kAlreadyExists, kInvalidArgument, kFailedPrecondition,
//   kPermissionDenied   never retry: the request itself is wrong
//   kDataLoss           alert: stored bytes are corrupt or missing
//   kRetained           the store keeps the object under a retention lock
//                       (S3 Object Lock) until a date; try after it
// plus three repository-level outcomes that the CLI maps to exit codes:
//   kWrongPassword, kLockHeld, kRepositoryNotFound.
// Only cli/ turns an Error into a message and an exit code.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace arkiv {

enum class Code {
  kOk = 0,
  kCancelled,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kPermissionDenied,
  kFailedPrecondition,
  kResourceExhausted,
  kAborted,
  kUnavailable,
  kDataLoss,
  kInternal,
  kUnimplemented,
  kWrongPassword,
  kLockHeld,
  kRepositoryNotFound,
  kRetained,
};

std::string_view CodeName(Code code);

class [[nodiscard]] Error {
 public:
  Error(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is prefixed with `context` ("reading X: ...").
  Error Context(std::string_view context) const;
  // True where a retry of the same call may succeed.
  bool retryable() const { return code_ == Code::kUnavailable || code_ == Code::kResourceExhausted; }

  std::string ToString() const;

 private:
  Code code_;
  std::string message_;
};

using Status = std::expected<void, Error>;
template <typename T>
using Result = std::expected<T, Error>;

inline Status OkStatus() { return {}; }

inline std::unexpected<Error> Fail(Code code, std::string message) {
  return std::unexpected<Error>(Error(code, std::move(message)));
}
inline std::unexpected<Error> Fail(Error error) { return std::unexpected<Error>(std::move(error)); }

// Adds context to the error of a failed result; passes a success through.
template <typename T>
std::expected<T, Error> WithContext(std::expected<T, Error> result, std::string_view context) {
  if (!result) return std::unexpected<Error>(result.error().Context(context));
  return result;
}

}  // namespace arkiv

#define ARKIV_CONCAT_INNER(a, b) a##b
#define ARKIV_CONCAT(a, b) ARKIV_CONCAT_INNER(a, b)

// Returns the error of `expr` (a Status or Result) from the enclosing function.
#define RETURN_IF_ERROR(expr)                                              \
  do {                                                                     \
    auto&& arkiv_status_ = (expr);                                         \
    if (!arkiv_status_) return std::unexpected(arkiv_status_.error());     \
  } while (false)

// `ASSIGN_OR_RETURN(auto x, Foo())` declares x from a Result or returns its error.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(ARKIV_CONCAT(arkiv_result_, __LINE__), lhs, expr)
// `tmp` is a name and `lhs` a declaration: neither can be parenthesized.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)              \
  auto tmp = (expr);                                       \
  if (!tmp) return std::unexpected(std::move(tmp).error()); \
  lhs = std::move(*tmp)
// NOLINTEND(bugprone-macro-parentheses)
