#include "cli/exit_codes.h"

namespace arkiv::cli {

int ExitCodeFor(const Error& error) {
  switch (error.code()) {
    case Code::kRepositoryNotFound: return kExitRepositoryNotFound;
    case Code::kLockHeld: return kExitLockHeld;
    case Code::kWrongPassword: return kExitWrongPassword;
    default: return kExitError;
  }
}

}  // namespace arkiv::cli
