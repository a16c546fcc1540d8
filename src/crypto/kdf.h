// scrypt password-based key derivation (OpenSSL EVP_PBE_scrypt).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "core/bytes.h"
#include "core/status.h"

namespace arkiv::crypto {

// Default: N = 2^16, r = 8 (64 MiB), p = 3: 0.7-0.8 s on the reference
// 2-core VM, above the 0.5 s a password guess must cost (docs/design.md §4
// has the measurement). Three sequential lanes of 64 MiB cost the time of
// one 192 MiB lane while keeping arkiv's peak memory at 64 MiB.
struct ScryptParams {
  uint64_t n = 1 << 16;
  uint32_t r = 8;
  uint32_t p = 3;
};

// The parameters of `init --kdf-cost` / `key add --kdf-cost`: N = 2^log2_n
// with the default r and p.
ScryptParams ScryptParamsForCost(int log2_n);
constexpr int kDefaultScryptCost = 16;
constexpr int kMinScryptCost = 10;  // what tests use: about 1 ms
constexpr int kMaxScryptCost = 20;  // 1 GiB, kMaxScryptMemory

// Upper bounds accepted from a key file, so a hostile file can demand
// neither gigabytes nor minutes. Each bound alone is not enough: N = 2^22
// with r = 32 would need 16 GiB, so the memory scrypt needs (128 * r * N
// bytes) is capped at 1 GiB, and the work of all lanes (128 * r * N * p
// bytes mixed) at 4 GiB, about 16 s here.
constexpr uint64_t kMaxScryptN = 1ull << 22;
constexpr uint32_t kMaxScryptR = 32;
constexpr uint32_t kMaxScryptP = 16;
constexpr uint64_t kMaxScryptMemory = 1ull << 30;
constexpr uint64_t kMaxScryptWork = 4ull << 30;

// kInvalidArgument naming the first bound `params` breaks, else OK. Safe
// for any values (no overflow).
Status CheckScryptParams(const ScryptParams& params);

// Derives a 256-bit key from `password` and `salt`.
// Errors: kInvalidArgument when N is not a power of two >= 2, or any of N, r,
// p or the memory they need is out of the bounds above (a corrupt or hostile
// key file); kResourceExhausted when OpenSSL cannot run it (out of memory).
Result<std::array<uint8_t, 32>> DeriveKey(std::string_view password, ByteView salt, const ScryptParams& params);

}  // namespace arkiv::crypto
