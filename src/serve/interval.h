// Intervals of `arkiv serve` (--interval, --list-interval): seconds as a
// plain number ("60", "0.5") or with one unit: "30s", "5m", "1h", "1d".
// (Unlike forget's durations, where "m" is a month: these are short.)
#pragma once

#include <string_view>

#include "core/status.h"

namespace arkiv::serve {

// Seconds, at least `min_s`; kInvalidArgument naming `flag` otherwise.
Result<double> ParseInterval(std::string_view flag, std::string_view text, double min_s);

}  // namespace arkiv::serve
