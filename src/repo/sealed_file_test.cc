#include "repo/sealed_file.h"

#include <gtest/gtest.h>

#include "crypto/aead.h"
#include "repo/repo_test_util.h"

namespace arkiv::repo {
namespace {

using arkiv::testing::CompressibleBytes;
using arkiv::testing::FailedWith;
using arkiv::testing::PseudoRandomBytes;

// Seals a hand-made frame, as a buggy or newer writer holding the key would.
Bytes SealFrame(const MasterKey& key, std::string_view kind, Bytes frame) {
  return crypto::Aead(key.encryption).Seal(frame, AsBytes("arkiv " + std::string(kind)));
}

Bytes Frame(uint8_t version, uint8_t compression, uint64_t raw_size, ByteView payload) {
  Bytes frame{version, compression};
  PutU32(frame, static_cast<uint32_t>(raw_size));
  PutU32(frame, static_cast<uint32_t>(raw_size >> 32));
  frame.insert(frame.end(), payload.begin(), payload.end());
  return frame;
}

TEST(SealedFileTest, RoundTripsSmallLargeAndEmptyPayloads) {
  MasterKey key = MasterKey::Generate();
  for (const Bytes& plain :
       {Bytes{}, ToBytes("{\"a\":1}"), PseudoRandomBytes(100000, 1), CompressibleBytes(300000, 2)}) {
    Bytes sealed = SealFile(key, "snapshot", plain);
    ASSERT_OK_AND_ASSIGN(Bytes opened, OpenSealedFile(key, "snapshot", sealed));
    EXPECT_EQ(opened, plain);
  }
}

TEST(SealedFileTest, CompressesWhenItHelpsAndNeverCostsMuchWhenItDoesNot) {
  MasterKey key = MasterKey::Generate();
  Bytes text = CompressibleBytes(300000, 3);
  EXPECT_LT(SealFile(key, "index", text).size(), text.size() / 10);
  Bytes noise = PseudoRandomBytes(300000, 4);
  // Frame (10 bytes) plus AES-GCM nonce and tag: nothing else.
  EXPECT_EQ(SealFile(key, "index", noise).size(), noise.size() + 10 + crypto::Aead::kOverhead);
}

TEST(SealedFileTest, SealingTwiceGivesDifferentBytes) {
  MasterKey key = MasterKey::Generate();
  EXPECT_NE(SealFile(key, "lock", ToBytes("x")), SealFile(key, "lock", ToBytes("x")));
}

TEST(SealedFileTest, KindMismatchIsDataLoss) {
  MasterKey key = MasterKey::Generate();
  Bytes sealed = SealFile(key, "index", ToBytes("payload"));
  EXPECT_TRUE(FailedWith(OpenSealedFile(key, "snapshot", sealed), Code::kDataLoss));
  EXPECT_TRUE(FailedWith(OpenSealedFile(key, "config", sealed), Code::kDataLoss));
  EXPECT_TRUE(FailedWith(OpenSealedFile(key, "", sealed), Code::kDataLoss));
  EXPECT_OK(OpenSealedFile(key, "index", sealed));
}

TEST(SealedFileTest, EveryFlippedByteIsDataLoss) {
  MasterKey key = MasterKey::Generate();
  Bytes sealed = SealFile(key, "snapshot", CompressibleBytes(2000, 5));
  for (size_t i = 0; i < sealed.size(); ++i) {
    Bytes damaged = sealed;
    damaged[i] ^= 0x40;
    ASSERT_TRUE(FailedWith(OpenSealedFile(key, "snapshot", damaged), Code::kDataLoss)) << "byte " << i;
  }
}

TEST(SealedFileTest, TruncationIsDataLoss) {
  MasterKey key = MasterKey::Generate();
  Bytes sealed = SealFile(key, "snapshot", ToBytes("some snapshot json"));
  for (size_t n : {size_t{0}, size_t{1}, size_t{27}, size_t{28}, sealed.size() - 1}) {
    EXPECT_TRUE(FailedWith(OpenSealedFile(key, "snapshot", ByteView(sealed).first(n)), Code::kDataLoss)) << n;
  }
}

TEST(SealedFileTest, AnotherRepositorysKeyIsDataLoss) {
  MasterKey mine = MasterKey::Generate();
  MasterKey theirs = MasterKey::Generate();
  Bytes sealed = SealFile(theirs, "snapshot", ToBytes("their snapshot"));
  EXPECT_TRUE(FailedWith(OpenSealedFile(mine, "snapshot", sealed), Code::kDataLoss));
}

TEST(SealedFileTest, AuthenticFramesThatAreMalformedAreDataLoss) {
  MasterKey key = MasterKey::Generate();
  Bytes payload = ToBytes("hello");
  EXPECT_OK(OpenSealedFile(key, "index", SealFrame(key, "index", Frame(kSealedFileVersion, 0, 5, payload))));
  // Unknown version.
  EXPECT_TRUE(
      FailedWith(OpenSealedFile(key, "index", SealFrame(key, "index", Frame(2, 0, 5, payload))), Code::kDataLoss));
  // Too short to hold a frame.
  EXPECT_TRUE(FailedWith(OpenSealedFile(key, "index", SealFrame(key, "index", Bytes{kSealedFileVersion, 0, 1})),
                         Code::kDataLoss));
  // Declared size disagrees with the payload.
  EXPECT_TRUE(
      FailedWith(OpenSealedFile(key, "index", SealFrame(key, "index", Frame(kSealedFileVersion, 0, 6, payload))),
                 Code::kDataLoss));
  // Unknown compression method.
  EXPECT_TRUE(
      FailedWith(OpenSealedFile(key, "index", SealFrame(key, "index", Frame(kSealedFileVersion, 9, 5, payload))),
                 Code::kDataLoss));
  // "zstd" that is not zstd.
  EXPECT_TRUE(
      FailedWith(OpenSealedFile(key, "index", SealFrame(key, "index", Frame(kSealedFileVersion, 1, 5, payload))),
                 Code::kDataLoss));
  // A size that would make us allocate terabytes.
  EXPECT_TRUE(FailedWith(
      OpenSealedFile(key, "index", SealFrame(key, "index", Frame(kSealedFileVersion, 1, uint64_t{1} << 40, payload))),
      Code::kDataLoss));
}

}  // namespace
}  // namespace arkiv::repo
