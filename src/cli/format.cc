#include "cli/format.h"

#include <fmt/format.h>

#include <ctime>
#include <nlohmann/json.hpp>

namespace arkiv::cli {

std::string HumanBytes(uint64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 5) {
    value /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", value, kUnits[unit]);
}

std::string HumanDuration(double seconds) {
  if (seconds < 60) return fmt::format("{:.1f}s", seconds);
  auto total = static_cast<int64_t>(seconds);
  if (total < 3600) return fmt::format("{}:{:02}", total / 60, total % 60);
  return fmt::format("{}:{:02}:{:02}", total / 3600, total / 60 % 60, total % 60);
}

std::string LocalTime(int64_t unix_nanos) {
  time_t secs = static_cast<time_t>(unix_nanos / 1000000000);
  std::tm tm{};
  ::localtime_r(&secs, &tm);
  char buf[32];
  // strftime returns 0, leaving buf undefined, when the text does not fit.
  size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
  return std::string(buf, n);
}

std::string JsonText(const nlohmann::json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace arkiv::cli
