#include "planning/duration.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

namespace arkiv::planning {
namespace {

constexpr double kMaxSeconds = 10 * 366 * 86400.0;

// Seconds per unit; 0 for an unknown unit.
double UnitSeconds(std::string_view unit) {
  if (unit == "ms") return 0.001;
  if (unit == "s" || unit.empty()) return 1;
  if (unit == "m" || unit == "min") return 60;
  if (unit == "h") return 3600;
  if (unit == "d") return 86400;
  return 0;
}

}  // namespace

Result<double> ParseDuration(std::string_view text) {
  auto bad = [&] {
    return Fail(Code::kInvalidArgument,
                fmt::format("'{}' is not a duration (e.g. 90s, 30m, 4h, 2d, 1h30m, 250ms)", text));
  };
  std::string_view rest = text;
  if (rest.empty()) return bad();
  double total = 0;
  bool first = true;
  while (!rest.empty()) {
    double value = 0;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
    if (ec != std::errc() || !std::isfinite(value) || value < 0) return bad();
    rest.remove_prefix(static_cast<size_t>(end - rest.data()));
    size_t letters = 0;
    while (letters < rest.size() && std::isalpha(static_cast<unsigned char>(rest[letters]))) ++letters;
    std::string unit(rest.substr(0, letters));
    for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    rest.remove_prefix(letters);
    double scale = UnitSeconds(unit);
    // A bare number means seconds only on its own: "1h30" is ambiguous.
    if (scale == 0 || (unit.empty() && !(first && rest.empty()))) return bad();
    total += value * scale;
    first = false;
  }
  if (total > kMaxSeconds) {
    return Fail(Code::kInvalidArgument, fmt::format("duration '{}' is longer than ten years", text));
  }
  return total;
}

}  // namespace arkiv::planning
