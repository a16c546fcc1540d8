// Sizes and rates as people write them on a command line or in a URL:
// "1000", "500KiB", "10MiB", "1.5GiB", "2M", "64kB", "10MiB/s".
//
// Units are case-insensitive. IEC units (KiB, MiB, GiB, TiB) and the bare
// letters K, M, G, T are powers of 1024 (as rclone and restic read "10M");
// SI units with a B (kB, MB, GB, TB) are powers of 1000; B or no unit is
// bytes. A fraction is allowed before a unit ("1.5MiB") and the result is
// rounded down to whole bytes.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/status.h"

namespace arkiv {

// kInvalidArgument (saying what is accepted) unless `text` is a size that
// fits in 64 bits. The message quotes `text` but names no option: callers
// add which one.
Result<uint64_t> ParseByteSize(std::string_view text);

// A rate in bytes per second: a size, optionally followed by "/s".
Result<uint64_t> ParseByteRate(std::string_view text);

}  // namespace arkiv
