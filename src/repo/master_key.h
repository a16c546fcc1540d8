// The repository's master keys: one for AES-256-GCM, one for blob ids
// (HMAC-SHA256). Created at `init`, stored only wrapped in key files.
#pragma once

#include <array>
#include <cstdint>

#include "core/bytes.h"
#include "core/status.h"

namespace arkiv::repo {

struct MasterKey {
  std::array<uint8_t, 32> encryption{};
  std::array<uint8_t, 32> id_key{};

  static MasterKey Generate();
  Bytes Serialize() const;
  static Result<MasterKey> Parse(ByteView data);
};

}  // namespace arkiv::repo
