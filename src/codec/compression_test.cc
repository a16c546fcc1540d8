#include "codec/compression.h"

#include <gtest/gtest.h>

#include <random>

#include "core/status_test_util.h"

namespace arkiv::codec {
namespace {

Bytes Compressible(size_t n) {
  Bytes out;
  out.reserve(n);
  std::string_view line = "2024-05-01 12:00:00 INFO backup of /home/user completed\n";
  while (out.size() < n) out.push_back(static_cast<uint8_t>(line[out.size() % line.size()]));
  return out;
}

Bytes Random(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Bytes out(n);
  for (auto& b : out) b = static_cast<uint8_t>(rng() >> 56);
  return out;
}

TEST(CompressionTest, CompressibleDataRoundTrips) {
  for (size_t size : {size_t{256}, size_t{1000}, size_t{1 << 20}}) {
    Bytes data = Compressible(size);
    Bytes encoded;
    Compression method = Compress(data, 3, encoded);
    EXPECT_EQ(method, Compression::kZstd) << size;
    EXPECT_LT(encoded.size(), data.size() / 2) << size;
    auto decoded = Decompress(method, encoded, data.size());
    ASSERT_TRUE(decoded) << decoded.error().message();
    EXPECT_EQ(*decoded, data);
  }
}

TEST(CompressionTest, IncompressibleDataIsStoredRaw) {
  Bytes data = Random(100000, 1);
  Bytes encoded;
  EXPECT_EQ(Compress(data, 19, encoded), Compression::kNone);
  EXPECT_EQ(encoded, data);
  EXPECT_EQ(Decompress(Compression::kNone, encoded, data.size()), data);
}

TEST(CompressionTest, LevelZeroAndTinyBlobsAreStoredRaw) {
  Bytes data = Compressible(4096);
  Bytes encoded;
  EXPECT_EQ(Compress(data, 0, encoded), Compression::kNone);
  EXPECT_EQ(encoded, data);
  Bytes tiny = Compressible(63), tiny_encoded;
  EXPECT_EQ(Compress(tiny, 3, tiny_encoded), Compression::kNone);
  EXPECT_EQ(tiny_encoded, tiny);
  Bytes empty_encoded;
  EXPECT_EQ(Compress(Bytes(), 3, empty_encoded), Compression::kNone);
  EXPECT_TRUE(empty_encoded.empty());
  EXPECT_EQ(Decompress(Compression::kNone, Bytes(), 0), Bytes());
}

TEST(CompressionTest, AppendsAfterExistingBytes) {
  Bytes out = ToBytes("prefix");
  Bytes data = Compressible(10000);
  Compression method = Compress(data, 3, out);
  ASSERT_EQ(method, Compression::kZstd);
  EXPECT_EQ(AsString(ByteView(out).first(6)), "prefix");
  EXPECT_EQ(Decompress(method, ByteView(out).subspan(6), data.size()), data);

  Bytes raw_out = ToBytes("prefix");
  Bytes noise = Random(1000, 2);
  ASSERT_EQ(Compress(noise, 3, raw_out), Compression::kNone);
  EXPECT_EQ(Bytes(raw_out.begin() + 6, raw_out.end()), noise);
}

TEST(CompressionTest, CorruptZstdDataIsDataLoss) {
  Bytes data = Compressible(100000);
  Bytes encoded;
  ASSERT_EQ(Compress(data, 3, encoded), Compression::kZstd);

  Bytes garbage = Random(encoded.size(), 3);
  EXPECT_EQ(CodeOf(Decompress(Compression::kZstd, garbage, data.size())), Code::kDataLoss);

  Bytes truncated(encoded.begin(), encoded.end() - 10);
  EXPECT_EQ(CodeOf(Decompress(Compression::kZstd, truncated, data.size())), Code::kDataLoss);

  Bytes bad_magic = encoded;
  bad_magic[0] ^= 0xff;
  EXPECT_EQ(CodeOf(Decompress(Compression::kZstd, bad_magic, data.size())), Code::kDataLoss);

  EXPECT_EQ(CodeOf(Decompress(Compression::kZstd, Bytes(), data.size())), Code::kDataLoss);
}

TEST(CompressionTest, WrongRawSizeIsDataLoss) {
  Bytes data = Compressible(100000);
  Bytes encoded;
  ASSERT_EQ(Compress(data, 3, encoded), Compression::kZstd);
  for (uint64_t wrong : {uint64_t{0}, data.size() - 1, data.size() + 1, uint64_t{2} * data.size()}) {
    auto decoded = Decompress(Compression::kZstd, encoded, wrong);
    ASSERT_FALSE(decoded) << wrong;
    EXPECT_EQ(CodeOf(decoded), Code::kDataLoss) << wrong;
  }
  Bytes raw = Random(100, 4);
  EXPECT_EQ(CodeOf(Decompress(Compression::kNone, raw, 99)), Code::kDataLoss);
  EXPECT_EQ(CodeOf(Decompress(Compression::kNone, raw, 101)), Code::kDataLoss);
}

TEST(CompressionTest, ImplausibleSizeOrMethodIsDataLoss) {
  // A corrupt header must not make us allocate terabytes.
  EXPECT_EQ(CodeOf(Decompress(Compression::kZstd, Bytes(10), uint64_t{1} << 40)), Code::kDataLoss);
  EXPECT_EQ(CodeOf(Decompress(static_cast<Compression>(7), Bytes(10), 10)), Code::kDataLoss);
}

}  // namespace
}  // namespace arkiv::codec
