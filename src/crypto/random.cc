#include "crypto/random.h"

#include <openssl/rand.h>

#include <cstdlib>

namespace arkiv::crypto {

Bytes RandomBytes(size_t n) {
  Bytes out(n);
  if (n > 0 && RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
    std::abort();  // a failing DRBG leaves no safe way to continue
  }
  return out;
}

Id RandomId() { return Id::FromBytes(RandomBytes(Id::kSize)); }

}  // namespace arkiv::crypto
