#include "repo/index_file.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "crypto/random.h"
#include "crypto/sha256.h"
#include "repo/repo_test_util.h"
#include "repo/repository.h"
#include "storage/backends/memory_store.h"
#include "storage/wrappers/fault_store.h"

namespace arkiv::repo {
namespace {

using arkiv::testing::FailedWith;
using arkiv::testing::kTestPassword;
using arkiv::testing::TestInitOptions;

// A pack of `count` blobs with consecutive offsets, as a pack header lists them.
IndexedPack MakePack(size_t count, BlobType type = BlobType::kData) {
  IndexedPack pack;
  pack.id = crypto::RandomId();
  uint32_t offset = 0;
  for (size_t i = 0; i < count; ++i) {
    BlobEntry e;
    e.id = crypto::RandomId();
    e.type = type;
    e.compression = i % 2 ? codec::Compression::kZstd : codec::Compression::kNone;
    e.offset = offset;
    e.length = static_cast<uint32_t>(100 + 13 * i);
    e.raw_length = static_cast<uint32_t>(e.compression == codec::Compression::kZstd ? 1000 + i : e.length - 28);
    offset += e.length;
    pack.blobs.push_back(e);
  }
  pack.size = offset + 200;  // room for the header
  return pack;
}

void ExpectSameFile(const IndexFile& a, const IndexFile& b) {
  EXPECT_EQ(a.supersedes, b.supersedes);
  ASSERT_EQ(a.packs.size(), b.packs.size());
  for (size_t p = 0; p < a.packs.size(); ++p) {
    EXPECT_EQ(a.packs[p].id, b.packs[p].id);
    EXPECT_EQ(a.packs[p].size, b.packs[p].size);
    ASSERT_EQ(a.packs[p].blobs.size(), b.packs[p].blobs.size());
    for (size_t i = 0; i < a.packs[p].blobs.size(); ++i) {
      const BlobEntry &x = a.packs[p].blobs[i], &y = b.packs[p].blobs[i];
      EXPECT_EQ(x.id, y.id);
      EXPECT_EQ(x.type, y.type);
      EXPECT_EQ(x.compression, y.compression);
      EXPECT_EQ(x.offset, y.offset);
      EXPECT_EQ(x.length, y.length);
      EXPECT_EQ(x.raw_length, y.raw_length);
    }
  }
}

TEST(IndexFileTest, RoundTrip) {
  IndexFile file;
  file.supersedes = {crypto::RandomId(), crypto::RandomId()};
  file.packs = {MakePack(3), MakePack(0), MakePack(17, BlobType::kTree)};
  file.packs[0].size = (uint64_t{5} << 32) + 7;  // sizes beyond 4 GiB survive
  ASSERT_OK_AND_ASSIGN(IndexFile parsed, IndexFile::Parse(file.Serialize()));
  ExpectSameFile(parsed, file);
}

TEST(IndexFileTest, EmptyFileRoundTrips) {
  ASSERT_OK_AND_ASSIGN(IndexFile parsed, IndexFile::Parse(IndexFile{}.Serialize()));
  EXPECT_TRUE(parsed.supersedes.empty());
  EXPECT_TRUE(parsed.packs.empty());
}

TEST(IndexFileTest, EveryTruncationIsDataLoss) {
  IndexFile file;
  file.supersedes = {crypto::RandomId()};
  file.packs = {MakePack(2), MakePack(1)};
  Bytes bytes = file.Serialize();
  for (size_t n = 0; n < bytes.size(); ++n) {
    ASSERT_TRUE(FailedWith(IndexFile::Parse(ByteView(bytes).first(n)), Code::kDataLoss)) << n;
  }
  Bytes longer = bytes;
  longer.push_back(0);
  EXPECT_TRUE(FailedWith(IndexFile::Parse(longer), Code::kDataLoss));
}

TEST(IndexFileTest, GarbageIsDataLoss) {
  EXPECT_TRUE(FailedWith(IndexFile::Parse(arkiv::testing::PseudoRandomBytes(5000, 9)), Code::kDataLoss));
  EXPECT_TRUE(FailedWith(IndexFile::Parse(ToBytes("{\"packs\":[]}")), Code::kDataLoss));
  Bytes bytes = IndexFile{}.Serialize();
  bytes[0] = 'X';  // magic
  EXPECT_TRUE(FailedWith(IndexFile::Parse(bytes), Code::kDataLoss));
  bytes = IndexFile{}.Serialize();
  bytes[4] = 2;  // version
  EXPECT_TRUE(FailedWith(IndexFile::Parse(bytes), Code::kDataLoss));
}

TEST(IndexFileTest, HugeCountsAreRejectedBeforeAllocating) {
  Bytes bytes(ToBytes("ARKI"));
  bytes.push_back(1);
  PutU32(bytes, 0xffffffff);  // supersedes
  EXPECT_TRUE(FailedWith(IndexFile::Parse(bytes), Code::kDataLoss));
  bytes.resize(5);
  PutU32(bytes, 0);
  PutU32(bytes, 0xffffffff);  // packs
  EXPECT_TRUE(FailedWith(IndexFile::Parse(bytes), Code::kDataLoss));
  IndexFile one;
  one.packs = {MakePack(1)};
  bytes = one.Serialize();
  // The blob count of the first pack sits after magic, version, supersedes, packs, id and size.
  size_t count_at = 4 + 1 + 4 + 4 + 32 + 8;
  bytes[count_at] = bytes[count_at + 1] = bytes[count_at + 2] = bytes[count_at + 3] = 0xff;
  EXPECT_TRUE(FailedWith(IndexFile::Parse(bytes), Code::kDataLoss));
}

TEST(IndexFileTest, BlobsPastTheEndOfTheirPackAreDataLoss) {
  IndexFile file;
  file.packs = {MakePack(4)};
  const auto& last = file.packs[0].blobs.back();
  file.packs[0].size = last.offset + last.length - 1;
  EXPECT_TRUE(FailedWith(IndexFile::Parse(file.Serialize()), Code::kDataLoss));
  file.packs[0].size = last.offset + last.length;
  EXPECT_OK(IndexFile::Parse(file.Serialize()));
}

TEST(IndexFileTest, UnknownBlobTypeOrCompressionIsDataLoss) {
  IndexFile file;
  file.packs = {MakePack(1)};
  Bytes bytes = file.Serialize();
  size_t entry_at = 4 + 1 + 4 + 4 + 32 + 8 + 4;
  Bytes bad_type = bytes;
  bad_type[entry_at] = 7;
  EXPECT_TRUE(FailedWith(IndexFile::Parse(bad_type), Code::kDataLoss));
  Bytes bad_compression = bytes;
  bad_compression[entry_at + 1] = 7;
  EXPECT_TRUE(FailedWith(IndexFile::Parse(bad_compression), Code::kDataLoss));
}

class LoadIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_shared<storage::MemoryStore>();
    auto repo = Repository::Init(store_, kTestPassword, TestInitOptions());
    ASSERT_TRUE(repo.has_value()) << repo.error().ToString();
    writer_ = std::move(*repo);
  }

  Id Save(const IndexFile& file) {
    auto id = writer_->SaveFile(FileKind::kIndex, file.Serialize());
    EXPECT_TRUE(id.has_value());
    return id.value_or(Id());
  }

  std::unique_ptr<Repository> Reopen() {
    auto repo = Repository::Open(store_, kTestPassword);
    EXPECT_TRUE(repo.has_value());
    return repo ? std::move(*repo) : nullptr;
  }

  std::shared_ptr<storage::MemoryStore> store_;
  std::unique_ptr<Repository> writer_;
};

TEST_F(LoadIndexTest, LoadsEveryPackOfEveryFile) {
  IndexFile a, b;
  a.packs = {MakePack(3), MakePack(2)};
  b.packs = {MakePack(4, BlobType::kTree)};
  Id a_id = Save(a), b_id = Save(b);
  auto repo = Reopen();
  ASSERT_OK(repo->LoadIndex());
  EXPECT_EQ(repo->index().PackCount(), 3u);
  EXPECT_EQ(repo->index().BlobCount(), 9u);
  for (const IndexFile* f : {&a, &b}) {
    for (const auto& pack : f->packs) {
      EXPECT_EQ(repo->index().PackSize(pack.id), pack.size);
      for (const auto& blob : pack.blobs) {
        auto where = repo->index().Find(blob.id);
        ASSERT_TRUE(where.has_value());
        EXPECT_EQ(where->pack, pack.id);
        EXPECT_EQ(where->entry.offset, blob.offset);
        EXPECT_EQ(where->entry.length, blob.length);
        EXPECT_EQ(where->entry.type, blob.type);
      }
    }
  }
  auto loaded = repo->index().LoadedFiles();
  std::sort(loaded.begin(), loaded.end());
  std::vector<Id> expected{a_id, b_id};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(loaded, expected);
}

TEST_F(LoadIndexTest, SupersededFilesAreIgnored) {
  IndexFile old_file, unrelated;
  old_file.packs = {MakePack(2)};
  unrelated.packs = {MakePack(1)};
  Id old_id = Save(old_file);
  Id unrelated_id = Save(unrelated);
  IndexFile replacement;
  replacement.packs = {MakePack(3)};
  replacement.supersedes = {old_id, crypto::RandomId()};  // an already deleted file is harmless
  Id replacement_id = Save(replacement);

  auto repo = Reopen();
  ASSERT_OK(repo->LoadIndex());
  EXPECT_EQ(repo->index().PackCount(), 2u);
  EXPECT_FALSE(repo->index().PackSize(old_file.packs[0].id).has_value());
  for (const auto& blob : old_file.packs[0].blobs) EXPECT_FALSE(repo->index().Has(blob.id));
  for (const auto& blob : replacement.packs[0].blobs) EXPECT_TRUE(repo->index().Has(blob.id));
  for (const auto& blob : unrelated.packs[0].blobs) EXPECT_TRUE(repo->index().Has(blob.id));
  auto loaded = repo->index().LoadedFiles();
  EXPECT_EQ(std::count(loaded.begin(), loaded.end(), old_id), 0);
  EXPECT_EQ(std::count(loaded.begin(), loaded.end(), replacement_id), 1);
  EXPECT_EQ(std::count(loaded.begin(), loaded.end(), unrelated_id), 1);
}

TEST_F(LoadIndexTest, DamagedFileFailsOrIsReported) {
  IndexFile good;
  good.packs = {MakePack(2)};
  Save(good);
  Id bad_id = Save(IndexFile{});
  Bytes* stored = store_->MutableObject(FileName(FileKind::kIndex, bad_id));
  ASSERT_NE(stored, nullptr);
  (*stored)[stored->size() / 2] ^= 1;

  EXPECT_TRUE(FailedWith(Reopen()->LoadIndex(), Code::kDataLoss));

  auto repo = Reopen();
  std::vector<std::pair<Id, Error>> damaged;
  ASSERT_OK(repo->LoadIndex(&damaged));
  ASSERT_EQ(damaged.size(), 1u);
  EXPECT_EQ(damaged[0].first, bad_id);
  EXPECT_EQ(damaged[0].second.code(), Code::kDataLoss);
  EXPECT_EQ(repo->index().BlobCount(), 2u);
}

// A prune sweep beside the reader removes a superseded file after the
// reader listed it: the reader lists again rather than failing.
TEST_F(LoadIndexTest, AFileGoneBetweenListingAndReadingIsListedAgain) {
  IndexFile first, second;
  first.packs = {MakePack(2)};
  second.packs = {MakePack(3)};
  Id first_id = Save(first);
  Save(second);
  auto faults = std::make_shared<storage::FaultStore>(store_);
  faults->AddRule(storage::FaultRule::Fail(Code::kNotFound)
                      .On(storage::Operation::kGet)
                      .WithPrefix(FileName(FileKind::kIndex, first_id))
                      .Times(1));
  auto repo = Repository::Open(faults, kTestPassword);
  ASSERT_TRUE(repo.has_value());
  ASSERT_OK((*repo)->LoadIndex());
  EXPECT_EQ((*repo)->index().PackCount(), 2u);
  // Gone for good (not a race): the error is the store's.
  faults->AddRule(storage::FaultRule::Fail(Code::kNotFound)
                      .On(storage::Operation::kGet)
                      .WithPrefix(FileName(FileKind::kIndex, first_id)));
  EXPECT_TRUE(FailedWith((*repo)->LoadIndex(), Code::kNotFound));
}

TEST_F(LoadIndexTest, AuthenticIndexWithMalformedContentIsDataLoss) {
  ASSERT_OK(writer_->SaveFile(FileKind::kIndex, ToBytes("ARKI but not really")));
  std::vector<std::pair<Id, Error>> damaged;
  ASSERT_OK(Reopen()->LoadIndex(&damaged));
  ASSERT_EQ(damaged.size(), 1u);
  EXPECT_EQ(damaged[0].second.code(), Code::kDataLoss);
}

TEST_F(LoadIndexTest, APackListedTwiceIsLoadedOnce) {
  IndexFile a;
  a.packs = {MakePack(3)};
  IndexFile b = a;
  b.packs.push_back(MakePack(1));
  Save(a);
  Save(b);
  auto repo = Reopen();
  ASSERT_OK(repo->LoadIndex());
  EXPECT_EQ(repo->index().PackCount(), 2u);
  EXPECT_EQ(repo->index().BlobCount(), 4u);
}

}  // namespace
}  // namespace arkiv::repo
