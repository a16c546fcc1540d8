#include "repo/system_info.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <limits>

#include "core/user_account.h"

namespace arkiv::repo {

std::string HostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof(buf) - 1) != 0) return "unknown";
  return buf;
}

std::string UserName() {
  if (auto user = LookUpUser(::geteuid())) return user->name;
  return std::to_string(::geteuid());
}

int64_t NowUnixNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string FormatRfc3339(int64_t unix_nanos) {
  time_t secs = static_cast<time_t>(unix_nanos / 1000000000);
  int64_t nanos = unix_nanos % 1000000000;
  if (nanos < 0) {
    nanos += 1000000000;
    --secs;
  }
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, nanos);
}

std::string NowRfc3339() { return FormatRfc3339(NowUnixNanos()); }

int64_t ParseRfc3339(const std::string& text) {
  std::tm tm{};
  int consumed = 0;
  // NOLINTNEXTLINE(cert-err34-c): every field is at most 4 digits, so none can overflow; a short match fails the count.
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &consumed) != 6) {
    return -1;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  int64_t nanos = 0;
  size_t pos = static_cast<size_t>(consumed);
  if (pos < text.size() && text[pos] == '.') {
    int digits = 0;
    for (++pos; pos < text.size() && isdigit(static_cast<unsigned char>(text[pos])); ++pos, ++digits) {
      if (digits < 9) nanos = nanos * 10 + (text[pos] - '0');
    }
    for (; digits < 9; ++digits) nanos *= 10;
  }
  if (pos >= text.size() || text[pos] != 'Z') return -1;
  // Nanoseconds since 1970 fit in int64 only for about ±292 years.
  constexpr int64_t kMaxSeconds = std::numeric_limits<int64_t>::max() / 1000000000 - 1;
  int64_t seconds = static_cast<int64_t>(::timegm(&tm));
  if (seconds > kMaxSeconds || seconds < -kMaxSeconds) return -1;
  return seconds * 1000000000 + nanos;
}

}  // namespace arkiv::repo
