#include "repo/pack.h"

#include <gtest/gtest.h>

#include "crypto/keyed_hash.h"
#include "crypto/sha256.h"
#include "repo/repo_test_util.h"
#include "storage/backends/memory_store.h"

namespace arkiv::repo {
namespace {

using arkiv::testing::CompressibleBytes;
using arkiv::testing::FailedWith;
using arkiv::testing::PseudoRandomBytes;

struct BuiltPack {
  Bytes bytes;
  std::vector<BlobEntry> entries;
  std::vector<Bytes> plaintexts;
};

class PackTest : public ::testing::Test {
 protected:
  Id IdOf(ByteView plain) const { return crypto::KeyedHash(key_.id_key).Hash(plain); }

  BuiltPack Build(std::vector<Bytes> plaintexts, BlobType type = BlobType::kData) {
    PackWriter writer(type);
    for (const Bytes& plain : plaintexts) writer.Add(SealBlob(key_, type, IdOf(plain), plain, 3));
    EXPECT_EQ(writer.count(), plaintexts.size());
    BuiltPack pack;
    pack.bytes = writer.Finish(key_, &pack.entries);
    pack.plaintexts = std::move(plaintexts);
    EXPECT_EQ(writer.count(), 0u);  // ready for the next pack
    return pack;
  }

  // Blobs of assorted sizes, some compressible.
  BuiltPack BuildMixed() {
    return Build({ToBytes("tiny"), PseudoRandomBytes(10000, 1), CompressibleBytes(50000, 2), Bytes{},
                  PseudoRandomBytes(70000, 3), CompressibleBytes(1, 4)});
  }

  MasterKey key_ = MasterKey::Generate();
};

void ExpectSameEntries(const std::vector<BlobEntry>& a, const std::vector<BlobEntry>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].id, b[i].id) << i;
    EXPECT_EQ(a[i].type, b[i].type) << i;
    EXPECT_EQ(a[i].compression, b[i].compression) << i;
    EXPECT_EQ(a[i].offset, b[i].offset) << i;
    EXPECT_EQ(a[i].length, b[i].length) << i;
    EXPECT_EQ(a[i].raw_length, b[i].raw_length) << i;
  }
}

TEST_F(PackTest, HeaderRoundTripsInMemory) {
  BuiltPack pack = BuildMixed();
  ASSERT_EQ(pack.entries.size(), 6u);
  uint32_t offset = 0;
  for (size_t i = 0; i < pack.entries.size(); ++i) {
    EXPECT_EQ(pack.entries[i].offset, offset);
    EXPECT_EQ(pack.entries[i].raw_length, pack.plaintexts[i].size());
    EXPECT_EQ(pack.entries[i].id, IdOf(pack.plaintexts[i]));
    offset += pack.entries[i].length;
  }
  EXPECT_EQ(pack.entries[2].compression, codec::Compression::kZstd);
  EXPECT_LT(pack.entries[2].length, 50000u / 10);
  EXPECT_EQ(pack.entries[1].compression, codec::Compression::kNone);

  ASSERT_OK_AND_ASSIGN(auto parsed, ReadPackHeader(key_, pack.bytes));
  ExpectSameEntries(parsed, pack.entries);
}

TEST_F(PackTest, HeaderRoundTripsThroughAStore) {
  BuiltPack pack = BuildMixed();
  storage::MemoryStore store;
  std::string name = PackName(BlobType::kData, crypto::Sha256(pack.bytes));
  ASSERT_OK(store.Put(name, pack.bytes));
  ASSERT_OK_AND_ASSIGN(auto parsed, ReadPackHeader(key_, store, name, pack.bytes.size()));
  ExpectSameEntries(parsed, pack.entries);
}

// A header larger than the 64 KiB tail read takes a second request.
TEST_F(PackTest, LargeHeaderRoundTripsThroughAStore) {
  std::vector<Bytes> blobs;
  for (int i = 0; i < 2000; ++i) blobs.push_back(ToBytes("blob number " + std::to_string(i)));
  BuiltPack pack = Build(std::move(blobs), BlobType::kTree);
  ASSERT_GT(2000 * kBlobEntrySize, 64u * 1024);
  storage::MemoryStore store;
  ASSERT_OK(store.Put("tree/aa/pack", pack.bytes));
  ASSERT_OK_AND_ASSIGN(auto parsed, ReadPackHeader(key_, store, "tree/aa/pack", pack.bytes.size()));
  ExpectSameEntries(parsed, pack.entries);
  EXPECT_EQ(parsed.front().type, BlobType::kTree);
}

TEST_F(PackTest, EmptyPackHasAnEmptyHeader) {
  BuiltPack pack = Build({});
  ASSERT_OK_AND_ASSIGN(auto parsed, ReadPackHeader(key_, pack.bytes));
  EXPECT_TRUE(parsed.empty());
}

TEST_F(PackTest, EveryBlobOpensToItsPlaintext) {
  BuiltPack pack = BuildMixed();
  for (size_t i = 0; i < pack.entries.size(); ++i) {
    const BlobEntry& e = pack.entries[i];
    ASSERT_OK_AND_ASSIGN(Bytes plain, OpenBlob(key_, e, ByteView(pack.bytes).subspan(e.offset, e.length)));
    EXPECT_EQ(plain, pack.plaintexts[i]) << i;
  }
}

TEST_F(PackTest, FlippedByteInABlobDamagesOnlyThatBlob) {
  BuiltPack pack = BuildMixed();
  for (size_t victim = 0; victim < pack.entries.size(); ++victim) {
    Bytes damaged = pack.bytes;
    const BlobEntry& v = pack.entries[victim];
    damaged[v.offset + v.length / 2] ^= 0x10;
    // The header is intact, so the pack still parses.
    ASSERT_OK(ReadPackHeader(key_, damaged));
    for (size_t i = 0; i < pack.entries.size(); ++i) {
      const BlobEntry& e = pack.entries[i];
      auto opened = OpenBlob(key_, e, ByteView(damaged).subspan(e.offset, e.length));
      if (i == victim) {
        EXPECT_TRUE(FailedWith(opened, Code::kDataLoss)) << "victim " << victim;
      } else {
        ASSERT_TRUE(opened.has_value()) << "blob " << i << " with victim " << victim;
        EXPECT_EQ(*opened, pack.plaintexts[i]);
      }
    }
  }
}

TEST_F(PackTest, BlobUnderAnotherIdOrKeyFails) {
  BuiltPack pack = BuildMixed();
  BlobEntry e = pack.entries[1];
  ByteView sealed = ByteView(pack.bytes).subspan(e.offset, e.length);
  BlobEntry swapped = e;
  swapped.id = pack.entries[4].id;  // the id is the associated data
  EXPECT_TRUE(FailedWith(OpenBlob(key_, swapped, sealed), Code::kDataLoss));
  EXPECT_TRUE(FailedWith(OpenBlob(MasterKey::Generate(), e, sealed), Code::kDataLoss));
  BlobEntry wrong_length = e;
  wrong_length.raw_length += 1;
  EXPECT_TRUE(FailedWith(OpenBlob(key_, wrong_length, sealed), Code::kDataLoss));
}

TEST_F(PackTest, CheckIdCatchesABlobSealedUnderTheWrongId) {
  Bytes plain = ToBytes("content whose keyed hash is not the id below");
  Id wrong = IdOf(ToBytes("something else"));
  SealedBlob blob = SealBlob(key_, BlobType::kData, wrong, plain, 3);
  EXPECT_TRUE(FailedWith(OpenBlob(key_, blob.entry, blob.bytes, /*check_id=*/true), Code::kDataLoss));
  ASSERT_OK_AND_ASSIGN(Bytes opened, OpenBlob(key_, blob.entry, blob.bytes, /*check_id=*/false));
  EXPECT_EQ(opened, plain);
}

TEST_F(PackTest, FlippedByteInTheHeaderIsAHeaderError) {
  BuiltPack pack = BuildMixed();
  uint32_t header_length = GetU32(pack.bytes.data() + pack.bytes.size() - 4);
  size_t header_start = pack.bytes.size() - 4 - header_length;
  for (size_t i = header_start; i < pack.bytes.size() - 4; i += 7) {
    Bytes damaged = pack.bytes;
    damaged[i] ^= 0x01;
    EXPECT_TRUE(FailedWith(ReadPackHeader(key_, damaged), Code::kDataLoss)) << "byte " << i;
  }
}

TEST_F(PackTest, HeaderUnderAnotherKeyIsDataLoss) {
  BuiltPack pack = BuildMixed();
  EXPECT_TRUE(FailedWith(ReadPackHeader(MasterKey::Generate(), pack.bytes), Code::kDataLoss));
}

TEST_F(PackTest, TruncatedPackIsDataLoss) {
  BuiltPack pack = BuildMixed();
  storage::MemoryStore store;
  for (size_t n : {size_t{0}, size_t{3}, size_t{4}, size_t{100}, pack.bytes.size() / 2, pack.bytes.size() - 5,
                   pack.bytes.size() - 1}) {
    ByteView truncated = ByteView(pack.bytes).first(n);
    EXPECT_TRUE(FailedWith(ReadPackHeader(key_, truncated), Code::kDataLoss)) << n;
    ASSERT_OK(store.Put("data/00/truncated", truncated));
    EXPECT_TRUE(FailedWith(ReadPackHeader(key_, store, "data/00/truncated", n), Code::kDataLoss)) << n;
  }
  // Cutting blobs off the front keeps the header intact but no longer matching.
  ByteView tail = ByteView(pack.bytes).subspan(pack.entries[1].offset);
  EXPECT_TRUE(FailedWith(ReadPackHeader(key_, tail), Code::kDataLoss));
}

TEST_F(PackTest, HeaderLengthPointingOutsideIsDataLoss) {
  BuiltPack pack = BuildMixed();
  storage::MemoryStore store;
  for (uint32_t bogus :
       {uint32_t(pack.bytes.size() - 3), uint32_t(pack.bytes.size()), 0xffffffffu, kMaxPackHeaderSize + 1, 0u, 5u}) {
    Bytes damaged = pack.bytes;
    damaged.resize(damaged.size() - 4);
    PutU32(damaged, bogus);
    EXPECT_TRUE(FailedWith(ReadPackHeader(key_, damaged), Code::kDataLoss)) << bogus;
    ASSERT_OK(store.Put("data/00/bogus", damaged));
    EXPECT_TRUE(FailedWith(ReadPackHeader(key_, store, "data/00/bogus", damaged.size()), Code::kDataLoss)) << bogus;
  }
}

TEST_F(PackTest, ExtraBytesBetweenBlobsAndHeaderAreDataLoss) {
  BuiltPack pack = BuildMixed();
  uint32_t header_length = GetU32(pack.bytes.data() + pack.bytes.size() - 4);
  size_t data_size = pack.bytes.size() - 4 - header_length;
  Bytes padded(pack.bytes.begin(), pack.bytes.begin() + static_cast<ptrdiff_t>(data_size));
  padded.push_back(0);
  padded.insert(padded.end(), pack.bytes.begin() + static_cast<ptrdiff_t>(data_size), pack.bytes.end());
  EXPECT_TRUE(FailedWith(ReadPackHeader(key_, padded), Code::kDataLoss));
}

TEST_F(PackTest, ParsePackHeaderRejectsEntriesBeyondTheData) {
  BuiltPack pack = BuildMixed();
  uint32_t header_length = GetU32(pack.bytes.data() + pack.bytes.size() - 4);
  size_t data_size = pack.bytes.size() - 4 - header_length;
  ByteView sealed_header = ByteView(pack.bytes).subspan(data_size, header_length);
  EXPECT_OK(ParsePackHeader(key_, sealed_header, data_size));
  EXPECT_TRUE(FailedWith(ParsePackHeader(key_, sealed_header, data_size - 1), Code::kDataLoss));
  EXPECT_TRUE(FailedWith(ParsePackHeader(key_, sealed_header, data_size + 1), Code::kDataLoss));
}

}  // namespace
}  // namespace arkiv::repo
