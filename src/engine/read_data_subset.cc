#include "engine/read_data_subset.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>

#include "core/byte_size.h"

namespace arkiv::engine {
namespace {

std::unexpected<Error> Invalid(std::string_view text) {
  return Fail(Code::kInvalidArgument,
              fmt::format("--read-data-subset '{}': expected n/m (slice n of m, e.g. 1/7), a percentage (e.g. 5%) "
                          "or a size (e.g. 500MiB)",
                          text));
}

bool ParseUint(std::string_view text, uint64_t& out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

uint64_t SliceOf(const Id& id, uint64_t slices) {
  uint64_t value = 0;
  for (size_t i = 0; i < 8; ++i) value = (value << 8) | id.bytes()[i];
  return value % slices;
}

Result<ReadDataSubset> ReadDataSubset::Parse(std::string_view text) {
  ReadDataSubset subset;
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    uint64_t n = 0;
    uint64_t m = 0;
    if (!ParseUint(text.substr(0, slash), n) || !ParseUint(text.substr(slash + 1), m) || m == 0 || n == 0 || n > m) {
      return Invalid(text);
    }
    subset.kind_ = Kind::kSlice;
    subset.slice_ = n;
    subset.slices_ = m;
    return subset;
  }
  if (text.ends_with('%')) {
    std::string number(text.substr(0, text.size() - 1));
    double percent = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), percent);
    if (number.empty() || ec != std::errc() || end != number.data() + number.size() || !std::isfinite(percent) ||
        percent <= 0 || percent > 100) {
      return Invalid(text);
    }
    subset.kind_ = Kind::kPercent;
    subset.percent_ = percent;
    return subset;
  }
  auto bytes = ParseByteSize(text);
  if (!bytes || *bytes == 0) return Invalid(text);
  subset.kind_ = Kind::kBytes;
  subset.bytes_ = *bytes;
  return subset;
}

std::string ReadDataSubset::ToString() const {
  switch (kind_) {
    case Kind::kAll:
      return "all";
    case Kind::kSlice:
      return fmt::format("{}/{}", slice_, slices_);
    case Kind::kPercent:
      return fmt::format("{}%", percent_);
    case Kind::kBytes:
      return fmt::format("{} bytes", bytes_);
  }
  return "all";
}

std::vector<size_t> ReadDataSubset::Select(const std::vector<Pack>& packs, std::mt19937_64& random) const {
  std::vector<size_t> chosen;
  if (kind_ == Kind::kAll || kind_ == Kind::kSlice) {
    for (size_t i = 0; i < packs.size(); ++i) {
      if (kind_ == Kind::kAll || SliceOf(packs[i].id, slices_) == slice_ - 1) chosen.push_back(i);
    }
    return chosen;
  }
  std::vector<size_t> order(packs.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::shuffle(order.begin(), order.end(), random);
  if (kind_ == Kind::kPercent) {
    auto count = static_cast<size_t>(std::ceil(static_cast<double>(packs.size()) * percent_ / 100.0));
    chosen.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(std::min(count, packs.size())));
  } else {
    // Packs that would overshoot are skipped for smaller ones further on.
    uint64_t total = 0;
    for (size_t i : order) {
      if (total + packs[i].size > bytes_) continue;
      total += packs[i].size;
      chosen.push_back(i);
    }
  }
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

}  // namespace arkiv::engine
