#include "crypto/sha256.h"

#include <cstdlib>

namespace arkiv::crypto {

Id Sha256(ByteView data) {
  uint8_t digest[32];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr) != 1) std::abort();
  return Id::FromBytes(ByteView(digest, 32));
}

Sha256Stream::Sha256Stream() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) std::abort();
}

Sha256Stream::~Sha256Stream() { EVP_MD_CTX_free(ctx_); }

void Sha256Stream::Update(ByteView data) {
  if (EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1) std::abort();
}

Id Sha256Stream::Finish() {
  uint8_t digest[32];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_, digest, &len) != 1) std::abort();
  return Id::FromBytes(ByteView(digest, 32));
}

}  // namespace arkiv::crypto
