#include "core/status.h"

#include <fmt/format.h>

namespace arkiv {

std::string_view CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "ok";
    case Code::kCancelled: return "cancelled";
    case Code::kInvalidArgument: return "invalid argument";
    case Code::kNotFound: return "not found";
    case Code::kAlreadyExists: return "already exists";
    case Code::kPermissionDenied: return "permission denied";
    case Code::kFailedPrecondition: return "failed precondition";
    case Code::kResourceExhausted: return "resource exhausted";
    case Code::kAborted: return "aborted";
    case Code::kUnavailable: return "unavailable";
    case Code::kDataLoss: return "data loss";
    case Code::kInternal: return "internal error";
    case Code::kUnimplemented: return "unimplemented";
    case Code::kWrongPassword: return "wrong password";
    case Code::kLockHeld: return "lock held";
    case Code::kRepositoryNotFound: return "repository not found";
    case Code::kRetained: return "retained";
  }
  return "unknown";
}

Error Error::Context(std::string_view context) const {
  return Error(code_, fmt::format("{}: {}", context, message_));
}

std::string Error::ToString() const { return message_; }

}  // namespace arkiv
