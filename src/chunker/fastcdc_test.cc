#include "chunker/fastcdc.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <set>
#include <string>

#include "core/status_test_util.h"

namespace arkiv::chunker {
namespace {

// Small sizes keep the tests fast while still giving thousands of chunks.
constexpr ChunkerParams kSmall{.min_size = 2048, .avg_size = 8192, .max_size = 65536, .seed = 1};

Bytes RandomData(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Bytes out(n);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t v = rng();
    std::memcpy(out.data() + i, &v, 8);
  }
  for (; i < n; ++i) out[i] = static_cast<uint8_t>(rng());
  return out;
}

// Cuts all of `data` at once, the way a reader with the whole file would.
std::vector<size_t> ChunkLengths(const Chunker& chunker, ByteView data) {
  std::vector<size_t> lengths;
  for (size_t pos = 0; pos < data.size();) {
    size_t n = chunker.FindBoundary(data.subspan(pos), /*at_end=*/true);
    if (n == 0) ADD_FAILURE() << "no progress at " << pos;
    if (n == 0) break;
    lengths.push_back(n);
    pos += n;
  }
  return lengths;
}

std::vector<std::string> Chunks(const Chunker& chunker, ByteView data) {
  std::vector<std::string> chunks;
  size_t pos = 0;
  for (size_t n : ChunkLengths(chunker, data)) {
    chunks.emplace_back(AsString(data.subspan(pos, n)));
    pos += n;
  }
  return chunks;
}

TEST(ChunkerParamsTest, Validate) {
  EXPECT_TRUE(ChunkerParams{}.Validate());
  EXPECT_TRUE(kSmall.Validate());
  const ChunkerParams bad[] = {
      {.min_size = 32, .avg_size = 128, .max_size = 1024},         // min below 64
      {.min_size = 4096, .avg_size = 4096, .max_size = 65536},     // min == avg
      {.min_size = 1024, .avg_size = 65536, .max_size = 65536},    // avg == max
      {.min_size = 1024, .avg_size = 6000, .max_size = 65536},     // avg not a power of two
      {.min_size = 1024, .avg_size = 8192, .max_size = 65u << 20}, // max above 64 MiB
  };
  for (const auto& params : bad) {
    auto st = params.Validate();
    ASSERT_FALSE(st) << params.min_size << "/" << params.avg_size << "/" << params.max_size;
    EXPECT_EQ(CodeOf(st), Code::kInvalidArgument);
  }
}

TEST(ChunkerTest, SameSeedSameBoundaries) {
  Bytes data = RandomData(2 << 20, 11);
  Chunker a(kSmall), b(kSmall);
  auto lengths = ChunkLengths(a, data);
  EXPECT_GT(lengths.size(), 100u);
  EXPECT_EQ(lengths, ChunkLengths(b, data));
}

TEST(ChunkerTest, DifferentSeedDifferentBoundaries) {
  Bytes data = RandomData(2 << 20, 12);
  ChunkerParams other = kSmall;
  other.seed = 2;
  auto a = ChunkLengths(Chunker(kSmall), data);
  auto b = ChunkLengths(Chunker(other), data);
  EXPECT_NE(a, b);
  // Not merely shifted at the end: hardly any cut point is shared.
  std::set<size_t> cuts_a, cuts_b;
  size_t pos = 0;
  for (size_t n : a) cuts_a.insert(pos += n);
  pos = 0;
  for (size_t n : b) cuts_b.insert(pos += n);
  size_t shared = 0;
  for (size_t cut : cuts_a) shared += cuts_b.count(cut);
  EXPECT_LT(shared, cuts_a.size() / 4) << shared << " of " << cuts_a.size();
}

TEST(ChunkerTest, ChunksStayWithinBoundsExceptTheLast) {
  Chunker chunker(kSmall);
  for (uint64_t seed : {21, 22, 23}) {
    Bytes data = RandomData((3 << 20) + seed * 777, seed);
    auto lengths = ChunkLengths(chunker, data);
    ASSERT_FALSE(lengths.empty());
    for (size_t i = 0; i + 1 < lengths.size(); ++i) {
      EXPECT_GE(lengths[i], kSmall.min_size) << i;
      EXPECT_LE(lengths[i], kSmall.max_size) << i;
    }
    EXPECT_GE(lengths.back(), 1u);
    EXPECT_LE(lengths.back(), kSmall.max_size);
  }
}

TEST(ChunkerTest, ConstantDataIsCutAtMaxSize) {
  // A run of one byte value never matches the mask: the cut falls at max.
  Bytes zeros(5 * kSmall.max_size + 100, 0);
  auto lengths = ChunkLengths(Chunker(kSmall), zeros);
  ASSERT_EQ(lengths.size(), 6u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(lengths[i], kSmall.max_size);
  EXPECT_EQ(lengths[5], 100u);
}

TEST(ChunkerTest, AverageSizeNearConfiguredAverage) {
  struct Case {
    ChunkerParams params;
    size_t bytes;
  };
  const Case cases[] = {
      {kSmall, 16 << 20},
      {ChunkerParams{.min_size = 1024, .avg_size = 4096, .max_size = 32768, .seed = 9}, 8 << 20},
      {ChunkerParams{.seed = 5}, 96 << 20},  // the defaults: 512 KiB / 1 MiB / 8 MiB
  };
  for (const auto& c : cases) {
    Bytes data = RandomData(c.bytes, c.params.seed + 100);
    auto lengths = ChunkLengths(Chunker(c.params), data);
    double mean = static_cast<double>(data.size()) / static_cast<double>(lengths.size());
    double avg = c.params.avg_size;
    EXPECT_GT(mean, 0.7 * avg) << "avg " << avg << " chunks " << lengths.size();
    EXPECT_LT(mean, 1.3 * avg) << "avg " << avg << " chunks " << lengths.size();
  }
}

TEST(ChunkerTest, InsertionChangesOnlyChunksNearTheEdit) {
  Chunker chunker(kSmall);
  Bytes original = RandomData(4 << 20, 31);
  Bytes edited = original;
  Bytes inserted = RandomData(100, 32);
  edited.insert(edited.begin() + (2 << 20), inserted.begin(), inserted.end());

  auto before = Chunks(chunker, original);
  auto after = Chunks(chunker, edited);
  std::multiset<std::string> old_set(before.begin(), before.end());
  size_t fresh = 0;
  for (const auto& c : after) fresh += old_set.count(c) == 0 ? 1 : 0;
  // The edit touches the chunk that holds it, and at most the next one
  // before the cut points line up again.
  EXPECT_GE(fresh, 1u);
  EXPECT_LE(fresh, 2u) << "of " << after.size() << " chunks";
  EXPECT_LE(before.size() - (after.size() - fresh), 2u);
}

TEST(ChunkerTest, DeletionChangesOnlyChunksNearTheEdit) {
  Chunker chunker(kSmall);
  Bytes original = RandomData(4 << 20, 41);
  Bytes edited = original;
  edited.erase(edited.begin() + (1 << 20), edited.begin() + (1 << 20) + 5000);
  auto before = Chunks(chunker, original);
  auto after = Chunks(chunker, edited);
  std::multiset<std::string> old_set(before.begin(), before.end());
  size_t fresh = 0;
  for (const auto& c : after) fresh += old_set.count(c) == 0 ? 1 : 0;
  EXPECT_LE(fresh, 2u) << "of " << after.size() << " chunks";
}

TEST(ChunkerTest, AsksForMoreDataUntilAtEnd) {
  Chunker chunker(kSmall);
  Bytes zeros(kSmall.max_size - 1, 0);  // no boundary and below max
  EXPECT_EQ(chunker.FindBoundary(zeros, /*at_end=*/false), 0u);
  EXPECT_EQ(chunker.FindBoundary(zeros, /*at_end=*/true), zeros.size());
  Bytes small(kSmall.min_size, 7);
  EXPECT_EQ(chunker.FindBoundary(small, false), 0u);
  EXPECT_EQ(chunker.FindBoundary(small, true), small.size());
  EXPECT_EQ(chunker.FindBoundary(ByteView(), true), 0u);
  Bytes full(kSmall.max_size + 1, 0);
  EXPECT_EQ(chunker.FindBoundary(full, false), kSmall.max_size);
}

}  // namespace
}  // namespace arkiv::chunker
