#include "crypto/kdf.h"

#include <openssl/evp.h>

#include <bit>

namespace arkiv::crypto {

Result<std::array<uint8_t, 32>> DeriveKey(std::string_view password, ByteView salt, const ScryptParams& params) {
  if (params.n < 2 || !std::has_single_bit(params.n) || params.n > kMaxScryptN || params.r == 0 ||
      params.r > kMaxScryptR || params.p == 0 || params.p > kMaxScryptP ||
      128ull * params.r * params.n > kMaxScryptMemory) {
    return Fail(Code::kInvalidArgument, "scrypt parameters out of range");
  }
  std::array<uint8_t, 32> key{};
  uint64_t max_mem = 128ull * params.r * (params.n + params.p + 2) + (1u << 20);
  if (EVP_PBE_scrypt(password.data(), password.size(), salt.data(), salt.size(), params.n, params.r, params.p,
                     max_mem, key.data(), key.size()) != 1) {
    return Fail(Code::kResourceExhausted, "scrypt key derivation failed (out of memory?)");
  }
  return key;
}

}  // namespace arkiv::crypto
