#include "crypto/keyed_hash.h"

#include <openssl/hmac.h>

#include <cstdlib>

namespace arkiv::crypto {

Id KeyedHash::Hash(ByteView data) const {
  uint8_t digest[32];
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()), data.data(), data.size(), digest, &len) ==
      nullptr) {
    std::abort();
  }
  return Id::FromBytes(ByteView(digest, 32));
}

}  // namespace arkiv::crypto
