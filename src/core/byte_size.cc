#include "core/byte_size.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <string>
#include <utility>

namespace arkiv {
namespace {

constexpr uint64_t kKi = uint64_t{1} << 10;
constexpr uint64_t kKilo = 1000;

// Lower-case unit -> bytes.
constexpr std::array<std::pair<std::string_view, uint64_t>, 14> kUnits = {{
    {"", 1},
    {"b", 1},
    {"k", kKi},
    {"kib", kKi},
    {"kb", kKilo},
    {"m", kKi * kKi},
    {"mib", kKi * kKi},
    {"mb", kKilo * kKilo},
    {"g", kKi * kKi * kKi},
    {"gib", kKi * kKi * kKi},
    {"gb", kKilo * kKilo * kKilo},
    {"t", kKi * kKi * kKi * kKi},
    {"tib", kKi * kKi * kKi * kKi},
    {"tb", kKilo * kKilo * kKilo * kKilo},
}};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Parses `text`; errors quote `shown` (what the user typed) and call it a
// `what` ("size" or "rate").
Result<uint64_t> ParseBytes(std::string_view text, std::string_view what, std::string_view shown) {
  auto not_a = [&] {
    return Fail(Code::kInvalidArgument,
                fmt::format("'{}' is not a {}: give a number of bytes{}, optionally with a unit "
                            "(KiB, MiB, GiB, TiB, or kB, MB, GB, TB), e.g. 500KiB or 10MiB",
                            shown, what, what == "rate" ? " per second" : ""));
  };
  auto too_large = [&] { return Fail(Code::kInvalidArgument, fmt::format("'{}' is too large", shown)); };

  size_t i = 0;
  uint64_t whole = 0;
  size_t whole_digits = 0;
  for (; i < text.size() && IsDigit(text[i]); ++i, ++whole_digits) {
    if (__builtin_mul_overflow(whole, 10, &whole) || __builtin_add_overflow(whole, text[i] - '0', &whole)) {
      return too_large();
    }
  }
  if (whole_digits == 0) return not_a();
  // Nine fraction digits are kept; the rest cannot move the result by a byte
  // for any unit up to TiB (2^40 / 10^9 < 1100, and the result rounds down).
  uint64_t fraction = 0, fraction_scale = 1;
  size_t fraction_digits = 0;
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && IsDigit(text[i]); ++i, ++fraction_digits) {
      if (fraction_digits < 9) {
        fraction = fraction * 10 + static_cast<uint64_t>(text[i] - '0');
        fraction_scale *= 10;
      }
    }
    if (fraction_digits == 0) return not_a();
  }
  while (i < text.size() && text[i] == ' ') ++i;
  std::string unit;
  for (; i < text.size(); ++i) unit.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(text[i]))));
  for (const auto& [name, multiplier] : kUnits) {
    if (unit != name) continue;
    if (multiplier == 1 && fraction_digits > 0) return not_a();  // no fractions of a byte
    uint64_t bytes = 0;
    if (__builtin_mul_overflow(whole, multiplier, &bytes)) return too_large();
    // fraction < fraction_scale <= 10^9 and multiplier <= 2^40: fits in 128 bits.
    auto part = static_cast<uint64_t>(static_cast<unsigned __int128>(fraction) * multiplier / fraction_scale);
    if (__builtin_add_overflow(bytes, part, &bytes)) return too_large();
    return bytes;
  }
  return not_a();
}

}  // namespace

Result<uint64_t> ParseByteSize(std::string_view text) { return ParseBytes(text, "size", text); }

Result<uint64_t> ParseByteRate(std::string_view text) {
  std::string_view size = text;
  if (size.ends_with("/s") || size.ends_with("/S")) size.remove_suffix(2);
  return ParseBytes(size, "rate", text);
}

}  // namespace arkiv
