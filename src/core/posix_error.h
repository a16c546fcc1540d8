// Turns an errno value into an Error whose code says what to do about it.
#pragma once

#include <string_view>

#include "core/status.h"

namespace arkiv {

// `what` names the operation and the path: "open /srv/x".
Error PosixError(int err, std::string_view what);
inline std::unexpected<Error> FailErrno(int err, std::string_view what) {
  return std::unexpected<Error>(PosixError(err, what));
}

}  // namespace arkiv
