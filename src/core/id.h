// A 256-bit identifier: a blob id (keyed hash of plaintext) or an object id
// (SHA-256 of the stored bytes). Printed as 64 lower-case hex digits.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"

namespace arkiv {

class Id {
 public:
  static constexpr size_t kSize = 32;

  Id() : bytes_{} {}
  explicit Id(const std::array<uint8_t, kSize>& bytes) : bytes_(bytes) {}
  // REQUIRES: data.size() == kSize (shorter input is zero-padded, longer
  // input truncated: callers pass digests, never untrusted lengths).
  static Id FromBytes(ByteView data);
  // Returns nullopt unless `hex` is exactly 64 hex digits.
  static std::optional<Id> Parse(std::string_view hex);

  std::string Hex() const;
  std::string Short() const { return Hex().substr(0, 8); }
  const std::array<uint8_t, kSize>& bytes() const { return bytes_; }
  bool IsZero() const;

  auto operator<=>(const Id&) const = default;

 private:
  std::array<uint8_t, kSize> bytes_;
};

struct IdHash {
  size_t operator()(const Id& id) const {
    size_t h;
    std::memcpy(&h, id.bytes().data(), sizeof(h));  // ids are uniformly random
    return h;
  }
};

}  // namespace arkiv
