// scrypt password-based key derivation (OpenSSL EVP_PBE_scrypt).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "core/bytes.h"
#include "core/status.h"

namespace arkiv::crypto {

// Default: N = 2^15, r = 8 (32 MiB), p = 4: about 0.5 s on the reference
// 2-core VM. Four sequential lanes of 32 MiB cost the time of one 128 MiB
// lane while keeping arkiv's peak memory low; see docs/design.md §4.
struct ScryptParams {
  uint64_t n = 1 << 15;
  uint32_t r = 8;
  uint32_t p = 4;
};

// Upper bounds accepted from a key file, so a hostile file cannot demand
// unbounded memory or time. 2^22 * 8 * 128 B = 4 GiB at the top.
constexpr uint64_t kMaxScryptN = 1ull << 22;
constexpr uint32_t kMaxScryptR = 32;
constexpr uint32_t kMaxScryptP = 16;

Result<std::array<uint8_t, 32>> DeriveKey(std::string_view password, ByteView salt, const ScryptParams& params);

}  // namespace arkiv::crypto
