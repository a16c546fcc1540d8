// Durations as people write them for an RTO or a latency: "90s", "30m",
// "4h", "2d", "1h30m", "250ms", "1.5h"; a bare number is seconds.
#pragma once

#include <string_view>

#include "core/status.h"

namespace arkiv::planning {

// Seconds. kInvalidArgument (saying what is accepted) for anything else, a
// negative value, or more than ten years.
Result<double> ParseDuration(std::string_view text);

}  // namespace arkiv::planning
