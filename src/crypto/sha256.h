// Plain SHA-256: names stored objects by their bytes, so any copy can be
// verified without the repository password.
#pragma once

#include <openssl/evp.h>

#include "core/bytes.h"
#include "core/id.h"

namespace arkiv::crypto {

Id Sha256(ByteView data);

// Incremental SHA-256 over data that arrives in pieces.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;

  void Update(ByteView data);
  Id Finish();

 private:
  EVP_MD_CTX* ctx_;
};

}  // namespace arkiv::crypto
