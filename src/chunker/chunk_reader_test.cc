#include "chunker/chunk_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "core/status_test_util.h"

namespace arkiv::chunker {
namespace {

constexpr ChunkerParams kSmall{.min_size = 2048, .avg_size = 8192, .max_size = 65536, .seed = 3};

Bytes RandomData(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Bytes out(n);
  for (auto& b : out) b = static_cast<uint8_t>(rng() >> 56);
  return out;
}

// Serves `data` in pieces of irregular size, as short reads from a pipe or
// network file system would.
ReadFunction IrregularReader(const Bytes& data, uint64_t seed) {
  auto pos = std::make_shared<size_t>(0);
  auto rng = std::make_shared<std::mt19937_64>(seed);
  return [&data, pos, rng](uint8_t* buffer, size_t size) -> Result<size_t> {
    size_t want = std::min<size_t>(size, 1 + (*rng)() % 9000);
    size_t n = std::min(want, data.size() - *pos);
    if (n > 0) std::memcpy(buffer, data.data() + *pos, n);  // data.data() may be null
    *pos += n;
    return n;
  };
}

Result<std::vector<Bytes>> ReadAll(ChunkReader& reader) {
  std::vector<Bytes> chunks;
  for (;;) {
    ASSIGN_OR_RETURN(std::optional<Bytes> chunk, reader.Next());
    if (!chunk) return chunks;
    chunks.push_back(std::move(*chunk));
  }
}

TEST(ChunkReaderTest, ReassemblesTheExactInput) {
  Chunker chunker(kSmall);
  const size_t sizes[] = {0,
                          1,
                          kSmall.min_size - 1,
                          kSmall.min_size,
                          kSmall.min_size + 1,
                          kSmall.max_size - 1,
                          kSmall.max_size,
                          kSmall.max_size + 1,
                          2 * kSmall.max_size + 1,
                          5 << 20};
  for (size_t size : sizes) {
    Bytes data = RandomData(size, size);
    ChunkReader reader(chunker, IrregularReader(data, size + 1));
    auto chunks = ReadAll(reader);
    ASSERT_TRUE(chunks) << chunks.error().message();
    Bytes joined;
    for (size_t i = 0; i < chunks->size(); ++i) {
      const Bytes& c = (*chunks)[i];
      EXPECT_FALSE(c.empty()) << size;
      EXPECT_LE(c.size(), kSmall.max_size) << size;
      if (i + 1 < chunks->size()) {
        EXPECT_GE(c.size(), kSmall.min_size) << size;
      }
      joined.insert(joined.end(), c.begin(), c.end());
    }
    EXPECT_EQ(joined, data) << "size " << size;
    if (size == 0) {
      EXPECT_TRUE(chunks->empty());
    }
    // Past the end it keeps saying so.
    auto again = reader.Next();
    ASSERT_TRUE(again);
    EXPECT_FALSE(again->has_value());
  }
}

TEST(ChunkReaderTest, BoundariesDoNotDependOnReadSizes) {
  Chunker chunker(kSmall);
  Bytes data = RandomData(3 << 20, 77);
  std::vector<size_t> reference;
  for (size_t pos = 0; pos < data.size();) {
    size_t n = chunker.FindBoundary(ByteView(data).subspan(pos), true);
    reference.push_back(n);
    pos += n;
  }
  for (uint64_t seed : {1, 2}) {
    ChunkReader reader(chunker, IrregularReader(data, seed));
    auto chunks = ReadAll(reader);
    ASSERT_TRUE(chunks);
    std::vector<size_t> lengths;
    for (const auto& c : *chunks) lengths.push_back(c.size());
    EXPECT_EQ(lengths, reference);
  }
}

TEST(ChunkReaderTest, PropagatesReadErrors) {
  Chunker chunker(kSmall);
  int calls = 0;
  ChunkReader reader(chunker, [&](uint8_t* buffer, size_t size) -> Result<size_t> {
    if (++calls > 3) return Fail(Code::kDataLoss, "disk said no");
    std::memset(buffer, 1, std::min<size_t>(size, 1000));
    return std::min<size_t>(size, 1000);
  });
  auto chunk = reader.Next();
  ASSERT_FALSE(chunk);
  EXPECT_EQ(CodeOf(chunk), Code::kDataLoss);
  EXPECT_EQ(chunk.error().message(), "disk said no");
}

}  // namespace
}  // namespace arkiv::chunker
