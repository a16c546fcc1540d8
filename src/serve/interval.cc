#include "serve/interval.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace arkiv::serve {

Result<double> ParseInterval(std::string_view flag, std::string_view text, double min_s) {
  auto bad = [&] {
    return Fail(Code::kInvalidArgument,
                fmt::format("{} {}: not an interval of at least {}s (seconds, or 30s, 5m, 1h, 1d)", flag, text, min_s));
  };
  double unit = 1;
  std::string_view number = text;
  if (!text.empty()) {
    switch (text.back()) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      default: unit = 0;
    }
    if (unit != 0) {
      number.remove_suffix(1);
    } else {
      unit = 1;
    }
  }
  double value = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (number.empty() || ec != std::errc() || end != number.data() + number.size() || !std::isfinite(value)) {
    return bad();
  }
  double seconds = value * unit;
  if (!(seconds >= min_s)) return bad();
  return seconds;
}

}  // namespace arkiv::serve
