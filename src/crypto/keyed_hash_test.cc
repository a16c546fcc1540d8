#include "crypto/keyed_hash.h"

#include <gtest/gtest.h>

#include "core/hex.h"

namespace arkiv::crypto {
namespace {

// HMAC pads keys shorter than the 64-byte block with zeros, so an RFC 4231
// key padded to our 32 bytes gives the published result. Cross-checked with
// `openssl dgst -sha256 -mac HMAC -macopt hexkey:<32-byte key>`.
std::array<uint8_t, 32> PaddedKey(ByteView key) {
  std::array<uint8_t, 32> out{};
  std::copy(key.begin(), key.end(), out.begin());
  return out;
}

TEST(KeyedHashTest, Rfc4231TestCase1) {
  KeyedHash hash(PaddedKey(Bytes(20, 0x0b)));
  EXPECT_EQ(hash.Hash(AsBytes("Hi There")).Hex(), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(KeyedHashTest, Rfc4231TestCase2) {
  KeyedHash hash(PaddedKey(AsBytes("Jefe")));
  EXPECT_EQ(hash.Hash(AsBytes("what do ya want for nothing?")).Hex(),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(KeyedHashTest, FullLengthKeyMatchesOpenSslCommandLine) {
  // printf 'The quick brown fox jumps over the lazy dog' | openssl dgst -sha256 -mac HMAC
  //   -macopt hexkey:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
  std::array<uint8_t, 32> key{};
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i);
  EXPECT_EQ(KeyedHash(key).Hash(AsBytes("The quick brown fox jumps over the lazy dog")).Hex(),
            "f87ad256151fc7b4c5dffa4adb3ebe911a8eeb8a8ebdee3c2a4a8e5f5ec02c32");
}

TEST(KeyedHashTest, DifferentKeysGiveDifferentIds) {
  std::array<uint8_t, 32> a{}, b{};
  b[0] = 1;
  EXPECT_NE(KeyedHash(a).Hash(AsBytes("data")), KeyedHash(b).Hash(AsBytes("data")));
  EXPECT_EQ(KeyedHash(a).Hash(AsBytes("data")), KeyedHash(a).Hash(AsBytes("data")));
}

}  // namespace
}  // namespace arkiv::crypto
