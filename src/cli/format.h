// Human-readable numbers for terminal output.
#pragma once

#include <cstdint>
#include <string>

namespace arkiv::cli {

std::string HumanBytes(uint64_t bytes);       // "1.5 GiB"
std::string HumanDuration(double seconds);    // "1:02:03" or "12.3s"
std::string LocalTime(int64_t unix_nanos);    // "2026-11-27 13:00:00"

}  // namespace arkiv::cli
