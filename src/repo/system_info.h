// Facts about this process recorded in snapshots, keys and locks.
#pragma once

#include <cstdint>
#include <string>

namespace arkiv::repo {

std::string HostName();
std::string UserName();
// The current time as RFC 3339 in UTC with nanoseconds: 2026-11-27T13:00:00.123456789Z.
std::string NowRfc3339();
std::string FormatRfc3339(int64_t unix_nanos);
// Parses what FormatRfc3339 writes (fraction optional); -1 on failure.
int64_t ParseRfc3339(const std::string& text);
int64_t NowUnixNanos();

}  // namespace arkiv::repo
