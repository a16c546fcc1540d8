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
// unbounded memory or time. Each bound alone is not enough: N = 2^22 with
// r = 32 would need 16 GiB, so the memory scrypt needs (128 * r * N bytes)
// is capped as well, at 4 GiB (2^22 * 8 * 128 B).
constexpr uint64_t kMaxScryptN = 1ull << 22;
constexpr uint32_t kMaxScryptR = 32;
constexpr uint32_t kMaxScryptP = 16;
constexpr uint64_t kMaxScryptMemory = 4ull << 30;

// Derives a 256-bit key from `password` and `salt`.
// Errors: kInvalidArgument when N is not a power of two >= 2, or any of N, r,
// p or the memory they need is out of the bounds above (a corrupt or hostile
// key file); kResourceExhausted when OpenSSL cannot run it (out of memory).
Result<std::array<uint8_t, 32>> DeriveKey(std::string_view password, ByteView salt, const ScryptParams& params);

}  // namespace arkiv::crypto
