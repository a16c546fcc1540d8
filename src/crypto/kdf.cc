#include "crypto/kdf.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <bit>

namespace arkiv::crypto {

ScryptParams ScryptParamsForCost(int log2_n) {
  ScryptParams params;
  params.n = uint64_t{1} << log2_n;
  return params;
}

Status CheckScryptParams(const ScryptParams& params) {
  if (params.n < 2 || !std::has_single_bit(params.n) || params.n > kMaxScryptN) {
    return Fail(Code::kInvalidArgument,
                fmt::format("scrypt parameters out of range: n = {} is not a power of two from 2 to 2^22", params.n));
  }
  if (params.r == 0 || params.r > kMaxScryptR || params.p == 0 || params.p > kMaxScryptP) {
    return Fail(Code::kInvalidArgument, fmt::format("scrypt parameters out of range: r = {} (1-{}), p = {} (1-{})",
                                                    params.r, kMaxScryptR, params.p, kMaxScryptP));
  }
  // The bounds above keep these products far below 2^64.
  const uint64_t memory = 128ull * params.r * params.n;
  if (memory > kMaxScryptMemory || memory * params.p > kMaxScryptWork) {
    return Fail(
        Code::kInvalidArgument,
        fmt::format("scrypt parameters out of range: n = {}, r = {}, p = {} need {} MiB per lane, {} MiB in all "
                    "(at most {} and {})",
                    params.n, params.r, params.p, memory >> 20, (memory * params.p) >> 20, kMaxScryptMemory >> 20,
                    kMaxScryptWork >> 20));
  }
  return OkStatus();
}

Result<std::array<uint8_t, 32>> DeriveKey(std::string_view password, ByteView salt, const ScryptParams& params) {
  RETURN_IF_ERROR(CheckScryptParams(params));
  std::array<uint8_t, 32> key{};
  uint64_t max_mem = 128ull * params.r * (params.n + params.p + 2) + (1u << 20);
  if (EVP_PBE_scrypt(password.data(), password.size(), salt.data(), salt.size(), params.n, params.r, params.p, max_mem,
                     key.data(), key.size()) != 1) {
    return Fail(Code::kResourceExhausted, "scrypt key derivation failed (out of memory?)");
  }
  return key;
}

}  // namespace arkiv::crypto
