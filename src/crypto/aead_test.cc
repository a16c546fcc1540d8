#include "crypto/aead.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "core/status_test_util.h"
#include "crypto/random.h"

namespace arkiv::crypto {
namespace {

std::array<uint8_t, 32> KeyFrom(uint8_t seed) {
  std::array<uint8_t, 32> key{};
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(seed + 7 * i);
  return key;
}

TEST(AeadTest, RoundTripsManySizes) {
  Aead aead(KeyFrom(1));
  for (size_t size : {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{17}, size_t{4096}, size_t{1 << 20}}) {
    Bytes plain = RandomBytes(size);
    Bytes sealed = aead.Seal(plain, AsBytes("blob-id"));
    EXPECT_EQ(sealed.size(), size + Aead::kOverhead);
    auto opened = aead.Open(sealed, AsBytes("blob-id"));
    ASSERT_TRUE(opened) << opened.error().message();
    EXPECT_EQ(*opened, plain);
  }
}

TEST(AeadTest, RoundTripsWithoutAssociatedData) {
  Aead aead(KeyFrom(2));
  Bytes sealed = aead.Seal(AsBytes("hello"));
  EXPECT_EQ(aead.Open(sealed), ToBytes("hello"));
}

TEST(AeadTest, NoncesAreFreshForEachSeal) {
  Aead aead(KeyFrom(3));
  Bytes a = aead.Seal(AsBytes("same plaintext"));
  Bytes b = aead.Seal(AsBytes("same plaintext"));
  EXPECT_NE(Bytes(a.begin(), a.begin() + Aead::kNonceSize), Bytes(b.begin(), b.begin() + Aead::kNonceSize));
  EXPECT_NE(a, b);
}

TEST(AeadTest, SealAppendKeepsWhatIsAlreadyInTheBuffer) {
  Aead aead(KeyFrom(4));
  Bytes out = ToBytes("header");
  aead.SealAppend(AsBytes("payload"), AsBytes("ad"), out);
  ASSERT_EQ(out.size(), 6 + 7 + Aead::kOverhead);
  EXPECT_EQ(AsString(ByteView(out).first(6)), "header");
  EXPECT_EQ(aead.Open(ByteView(out).subspan(6), AsBytes("ad")), ToBytes("payload"));
}

// The header promises nonce || ciphertext || tag in AES-256-GCM: check with
// OpenSSL directly, so the format does not silently change.
TEST(AeadTest, LayoutIsNonceCiphertextTag) {
  std::array<uint8_t, 32> key = KeyFrom(5);
  Bytes plain = ToBytes("independently decrypted");
  Bytes ad = ToBytes("associated");
  Bytes sealed = Aead(key).Seal(plain, ad);

  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ASSERT_NE(ctx, nullptr);
  const uint8_t* nonce = sealed.data();
  const uint8_t* cipher = nonce + Aead::kNonceSize;
  Bytes tag(sealed.end() - Aead::kTagSize, sealed.end());
  Bytes out(plain.size());
  int len = 0;
  EXPECT_EQ(EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, key.data(), nonce), 1);
  EXPECT_EQ(EVP_DecryptUpdate(ctx, nullptr, &len, ad.data(), static_cast<int>(ad.size())), 1);
  EXPECT_EQ(EVP_DecryptUpdate(ctx, out.data(), &len, cipher, static_cast<int>(plain.size())), 1);
  EXPECT_EQ(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, Aead::kTagSize, tag.data()), 1);
  EXPECT_EQ(EVP_DecryptFinal_ex(ctx, out.data() + len, &len), 1);
  EVP_CIPHER_CTX_free(ctx);
  EXPECT_EQ(out, plain);
}

TEST(AeadTest, AnyFlippedByteIsDataLoss) {
  Aead aead(KeyFrom(6));
  Bytes sealed = aead.Seal(RandomBytes(40), AsBytes("id"));
  // Every position: the nonce, each ciphertext byte and the tag.
  for (size_t i = 0; i < sealed.size(); ++i) {
    for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}}) {
      Bytes bad = sealed;
      bad[i] ^= mask;
      auto opened = aead.Open(bad, AsBytes("id"));
      ASSERT_FALSE(opened) << "byte " << i << " mask " << int{mask};
      EXPECT_EQ(CodeOf(opened), Code::kDataLoss);
    }
  }
}

TEST(AeadTest, TruncatedOrExtendedIsDataLoss) {
  Aead aead(KeyFrom(7));
  Bytes sealed = aead.Seal(AsBytes("some plaintext"));
  for (size_t len : {size_t{0}, Aead::kOverhead - 1, Aead::kOverhead, sealed.size() - 1}) {
    auto opened = aead.Open(ByteView(sealed).first(len));
    ASSERT_FALSE(opened) << len;
    EXPECT_EQ(CodeOf(opened), Code::kDataLoss) << len;
  }
  Bytes longer = sealed;
  longer.push_back(0);
  EXPECT_EQ(CodeOf(aead.Open(longer)), Code::kDataLoss);
}

TEST(AeadTest, WrongAssociatedDataIsDataLoss) {
  Aead aead(KeyFrom(8));
  Bytes sealed = aead.Seal(AsBytes("plain"), AsBytes("blob-1"));
  EXPECT_EQ(CodeOf(aead.Open(sealed, AsBytes("blob-2"))), Code::kDataLoss);
  EXPECT_EQ(CodeOf(aead.Open(sealed)), Code::kDataLoss);
  Bytes no_ad = aead.Seal(AsBytes("plain"));
  EXPECT_EQ(CodeOf(aead.Open(no_ad, AsBytes("blob-1"))), Code::kDataLoss);
}

TEST(AeadTest, WrongKeyIsDataLoss) {
  Bytes sealed = Aead(KeyFrom(9)).Seal(AsBytes("plain"), AsBytes("id"));
  std::array<uint8_t, 32> other = KeyFrom(9);
  other[31] ^= 1;
  auto opened = Aead(other).Open(sealed, AsBytes("id"));
  ASSERT_FALSE(opened);
  EXPECT_EQ(CodeOf(opened), Code::kDataLoss);
}

}  // namespace
}  // namespace arkiv::crypto
