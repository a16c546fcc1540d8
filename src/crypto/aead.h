// AES-256-GCM authenticated encryption.
//
// Sealed layout: nonce (12 random bytes) || ciphertext || tag (16 bytes).
// `associated` is authenticated but not stored: the blob id, so a blob cannot
// be swapped for another under the same key without detection.
// Thread safety: Seal/Open are const and may be called concurrently.
#pragma once

#include <array>

#include "core/bytes.h"
#include "core/status.h"

namespace arkiv::crypto {

class Aead {
 public:
  static constexpr size_t kNonceSize = 12;
  static constexpr size_t kTagSize = 16;
  static constexpr size_t kOverhead = kNonceSize + kTagSize;

  explicit Aead(const std::array<uint8_t, 32>& key) : key_(key) {}

  Bytes Seal(ByteView plaintext, ByteView associated = {}) const;
  // Appends the sealed form of `plaintext` to `out`.
  void SealAppend(ByteView plaintext, ByteView associated, Bytes& out) const;
  // Returns kDataLoss when the bytes were altered or the key is wrong.
  Result<Bytes> Open(ByteView sealed, ByteView associated = {}) const;

 private:
  std::array<uint8_t, 32> key_;
};

}  // namespace arkiv::crypto
