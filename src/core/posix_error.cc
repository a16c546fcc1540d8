#include "core/posix_error.h"

#include <fmt/format.h>

#include <cerrno>
#include <system_error>

namespace arkiv {

Error PosixError(int err, std::string_view what) {
  Code code = Code::kInternal;
  switch (err) {
    case ENOENT:
    case ENOTDIR: code = Code::kNotFound; break;
    case EACCES:
    case EPERM:
    case EROFS: code = Code::kPermissionDenied; break;
    case EEXIST:
    case ENOTEMPTY: code = Code::kAlreadyExists; break;
    case ENOSPC:
    case EDQUOT:
    case EMFILE:
    case ENFILE:
    case ENOMEM: code = Code::kResourceExhausted; break;
    case EINTR:
    case EAGAIN:
    case ETIMEDOUT: code = Code::kUnavailable; break;
    case EIO: code = Code::kDataLoss; break;
    case EINVAL:
    case ENAMETOOLONG:
    case ELOOP: code = Code::kInvalidArgument; break;
    default: break;
  }
  // Not strerror: its text may live in one buffer for the whole process, and
  // errors are made on many threads at once; libstdc++ uses strerror_r.
  return Error(code, fmt::format("{}: {}", what, std::generic_category().message(err)));
}

}  // namespace arkiv
