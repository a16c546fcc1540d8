#include "crypto/random.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cstdlib>

namespace arkiv::crypto {

Bytes RandomBytes(size_t n) {
  Bytes out(n);
  // RAND_bytes takes an int length: fill larger buffers in slices.
  for (size_t done = 0; done < n;) {
    int slice = static_cast<int>(std::min<size_t>(n - done, 1 << 30));
    // A failing DRBG leaves no safe way to continue.
    if (RAND_bytes(out.data() + done, slice) != 1) std::abort();
    done += static_cast<size_t>(slice);
  }
  return out;
}

Id RandomId() { return Id::FromBytes(RandomBytes(Id::kSize)); }

}  // namespace arkiv::crypto
