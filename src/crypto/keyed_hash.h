// HMAC-SHA256 under a repository key: blob ids. Keyed so that an id reveals
// nothing about content to anyone without the key (no confirmation attacks).
// Thread safety: Hash() is const and may be called concurrently.
#pragma once

#include <array>

#include "core/bytes.h"
#include "core/id.h"

namespace arkiv::crypto {

class KeyedHash {
 public:
  explicit KeyedHash(const std::array<uint8_t, 32>& key) : key_(key) {}
  Id Hash(ByteView data) const;

 private:
  std::array<uint8_t, 32> key_;
};

}  // namespace arkiv::crypto
