// Process exit codes (documented in README.md, "Exit codes").
#pragma once

#include "core/status.h"

namespace arkiv::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitWarnings = 3;  // done, but some files could not be read
inline constexpr int kExitRepositoryNotFound = 10;
inline constexpr int kExitLockHeld = 11;
inline constexpr int kExitWrongPassword = 12;

int ExitCodeFor(const Error& error);

}  // namespace arkiv::cli
