#include "crypto/aead.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <memory>

namespace arkiv::crypto {
namespace {

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

void Check(int ok) {
  if (ok != 1) std::abort();  // only on misuse or allocation failure
}

}  // namespace

Bytes Aead::Seal(ByteView plaintext, ByteView associated) const {
  Bytes out;
  SealAppend(plaintext, associated, out);
  return out;
}

void Aead::SealAppend(ByteView plaintext, ByteView associated, Bytes& out) const {
  size_t start = out.size();
  out.resize(start + kNonceSize + plaintext.size() + kTagSize);
  uint8_t* nonce = out.data() + start;
  uint8_t* cipher = nonce + kNonceSize;
  Check(RAND_bytes(nonce, kNonceSize));

  CtxPtr ctx(EVP_CIPHER_CTX_new());
  Check(ctx != nullptr);
  Check(EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce));
  int len = 0;
  if (!associated.empty()) {
    Check(EVP_EncryptUpdate(ctx.get(), nullptr, &len, associated.data(), static_cast<int>(associated.size())));
  }
  // EVP takes int lengths; feed large inputs in slices.
  size_t done = 0;
  while (done < plaintext.size()) {
    int slice = static_cast<int>(std::min<size_t>(plaintext.size() - done, 1 << 30));
    Check(EVP_EncryptUpdate(ctx.get(), cipher + done, &len, plaintext.data() + done, slice));
    done += static_cast<size_t>(slice);
  }
  Check(EVP_EncryptFinal_ex(ctx.get(), cipher + done, &len));
  Check(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, cipher + plaintext.size()));
}

Result<Bytes> Aead::Open(ByteView sealed, ByteView associated) const {
  if (sealed.size() < kOverhead) return Fail(Code::kDataLoss, "ciphertext shorter than nonce and tag");
  const uint8_t* nonce = sealed.data();
  const uint8_t* cipher = nonce + kNonceSize;
  size_t cipher_len = sealed.size() - kOverhead;
  Bytes tag(cipher + cipher_len, cipher + cipher_len + kTagSize);

  CtxPtr ctx(EVP_CIPHER_CTX_new());
  Check(ctx != nullptr);
  Check(EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce));
  int len = 0;
  if (!associated.empty()) {
    Check(EVP_DecryptUpdate(ctx.get(), nullptr, &len, associated.data(), static_cast<int>(associated.size())));
  }
  Bytes plain(cipher_len);
  size_t done = 0;
  while (done < cipher_len) {
    int slice = static_cast<int>(std::min<size_t>(cipher_len - done, 1 << 30));
    Check(EVP_DecryptUpdate(ctx.get(), plain.data() + done, &len, cipher + done, slice));
    done += static_cast<size_t>(slice);
  }
  Check(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag.data()));
  if (EVP_DecryptFinal_ex(ctx.get(), plain.data() + done, &len) != 1) {
    return Fail(Code::kDataLoss, "authentication failed (data corrupt or wrong key)");
  }
  return plain;
}

}  // namespace arkiv::crypto
