#include "storage/http/hmac_sha256.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace arkiv::storage::http {

Bytes HmacSha256(ByteView key, ByteView message) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int length = 0;
  // HMAC fails only when OpenSSL cannot allocate; an empty result then makes
  // the signature wrong and the server refuse the request.
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), message.data(), message.size(), out.data(),
           &length) == nullptr) {
    length = 0;
  }
  out.resize(length);
  return out;
}

}  // namespace arkiv::storage::http
