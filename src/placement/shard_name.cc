#include "placement/shard_name.h"

#include <fmt/format.h>

#include <charconv>

namespace arkiv::placement {
namespace {

bool IsLowerHex(std::string_view s) { return s.find_first_not_of("0123456789abcdef") == std::string_view::npos; }

template <typename T>
std::optional<T> ParseDecimal(std::string_view text) {
  T value{};
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::string FormatShardName(const ShardName& shard) {
  return fmt::format("{}.ec{}+{}.{}.{}", shard.pack, shard.k, shard.m, shard.index, shard.pack_size);
}

bool IsDataPackName(std::string_view name) {
  // data/<xx>/<64 hex>, <xx> the first two digits.
  if (name.size() != 5 + 3 + 64 || !name.starts_with("data/") || name[7] != '/') return false;
  std::string_view hash = name.substr(8);
  return IsLowerHex(hash) && name.substr(5, 2) == hash.substr(0, 2);
}

std::optional<ShardName> ParseShardName(std::string_view name) {
  constexpr size_t kPackLength = 5 + 3 + 64;
  if (name.size() <= kPackLength || name[kPackLength] != '.') return std::nullopt;
  ShardName shard;
  shard.pack = std::string(name.substr(0, kPackLength));
  if (!IsDataPackName(shard.pack)) return std::nullopt;
  std::string_view rest = name.substr(kPackLength + 1);  // ec<K>+<M>.<i>.<size>
  if (!rest.starts_with("ec")) return std::nullopt;
  rest.remove_prefix(2);
  size_t plus = rest.find('+');
  size_t dot1 = rest.find('.');
  if (plus == std::string_view::npos || dot1 == std::string_view::npos || plus > dot1) return std::nullopt;
  size_t dot2 = rest.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) return std::nullopt;
  auto k = ParseDecimal<int>(rest.substr(0, plus));
  auto m = ParseDecimal<int>(rest.substr(plus + 1, dot1 - plus - 1));
  auto index = ParseDecimal<int>(rest.substr(dot1 + 1, dot2 - dot1 - 1));
  auto size = ParseDecimal<uint64_t>(rest.substr(dot2 + 1));
  if (!k || !m || !index || !size || *k < 1 || *m < 0 || *k + *m > 255 || *index >= *k + *m) return std::nullopt;
  shard.k = *k;
  shard.m = *m;
  shard.index = *index;
  shard.pack_size = *size;
  return shard;
}

std::optional<std::string_view> ContentHashOf(std::string_view name) {
  size_t slash = name.rfind('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view last = name.substr(slash + 1);
  if (last.size() != 64 || !IsLowerHex(last)) return std::nullopt;
  return last;
}

}  // namespace arkiv::placement
