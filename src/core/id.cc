#include "core/id.h"

#include <algorithm>

#include "core/hex.h"

namespace arkiv {

Id Id::FromBytes(ByteView data) {
  std::array<uint8_t, kSize> bytes{};
  std::copy_n(data.begin(), std::min(data.size(), kSize), bytes.begin());
  return Id(bytes);
}

std::optional<Id> Id::Parse(std::string_view hex) {
  if (hex.size() != 2 * kSize) return std::nullopt;
  auto bytes = HexDecode(hex);
  if (!bytes) return std::nullopt;
  return FromBytes(*bytes);
}

std::string Id::Hex() const { return HexEncode(bytes_); }

bool Id::IsZero() const {
  return std::all_of(bytes_.begin(), bytes_.end(), [](uint8_t b) { return b == 0; });
}

}  // namespace arkiv
