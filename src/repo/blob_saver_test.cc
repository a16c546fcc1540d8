#include "repo/blob_saver.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <thread>

#include "repo/repo_test_util.h"
#include "storage/backends/memory_store.h"

namespace arkiv::repo {
namespace {

using arkiv::testing::CompressibleBytes;
using arkiv::testing::FailedWith;
using arkiv::testing::FailingStore;
using arkiv::testing::kTestPassword;
using arkiv::testing::PseudoRandomBytes;
using arkiv::testing::TestInitOptions;

class BlobSaverTest : public ::testing::Test {
 protected:
  void SetUp() override { Init(std::make_shared<storage::MemoryStore>()); }

  void Init(std::shared_ptr<storage::Store> store) {
    store_ = store;
    auto repo = Repository::Init(store, kTestPassword, TestInitOptions());
    ASSERT_TRUE(repo.has_value()) << repo.error().ToString();
    repo_ = std::move(*repo);
  }

  std::unique_ptr<Repository> Reopen() {
    auto repo = Repository::Open(store_, kTestPassword);
    EXPECT_TRUE(repo.has_value());
    if (!repo) return nullptr;
    auto st = (*repo)->LoadIndex();
    EXPECT_TRUE(st.has_value()) << st.error().ToString();
    return std::move(*repo);
  }

  // How many times each blob id appears in the headers of all stored packs.
  std::map<Id, int> BlobsInStoredPacks() {
    std::map<Id, int> count;
    for (const auto& [name, size] : arkiv::testing::ListObjects(*store_)) {
      if (!name.starts_with("data/") && !name.starts_with("tree/")) continue;
      auto entries = ReadPackHeader(repo_->key(), *store_, name, size);
      EXPECT_TRUE(entries.has_value()) << name;
      if (!entries) continue;
      for (const auto& e : *entries) {
        EXPECT_EQ(name.starts_with("tree/"), e.type == BlobType::kTree) << name;
        count[e.id]++;
      }
    }
    return count;
  }

  size_t CountObjects(std::string_view prefix) {
    size_t n = 0;
    for (const auto& [name, size] : arkiv::testing::ListObjects(*store_)) n += name.starts_with(prefix);
    return n;
  }

  std::shared_ptr<storage::Store> store_;
  std::unique_ptr<Repository> repo_;
};

TEST_F(BlobSaverTest, ManyBlobsAcrossPacksAreIndexedAndLoadable) {
  std::map<Id, Bytes> blobs;
  std::map<Id, BlobType> types;
  {
    BlobSaver saver(*repo_, BlobSaverOptions{});
    for (int i = 0; i < 400; ++i) {
      Bytes data = i % 5 == 0 ? CompressibleBytes(12000 + i, i) : PseudoRandomBytes(8000 + i, i);
      BlobType type = i % 10 == 3 ? BlobType::kTree : BlobType::kData;
      Id id = repo_->BlobId(data);
      ASSERT_OK_AND_ASSIGN(bool added, saver.Save(type, id, data));
      EXPECT_TRUE(added);
      blobs[id] = std::move(data);
      types[id] = type;
    }
    ASSERT_OK(saver.Flush());
    EXPECT_EQ(saver.stats().blobs_added, 400u);
    // ~3 MB in 256 KiB packs: more than one index file's worth of packs.
    EXPECT_GT(saver.stats().packs_uploaded, BlobSaver::kPacksPerIndexFile);
    EXPECT_GE(saver.stats().index_files, 2u);
    EXPECT_EQ(saver.stats().packs_uploaded, CountObjects("data/") + CountObjects("tree/"));
    EXPECT_EQ(saver.stats().index_files, CountObjects("index/"));
    EXPECT_LT(saver.stats().bytes_stored, saver.stats().bytes_added);  // some compressed
  }
  EXPECT_GE(CountObjects("tree/"), 1u);
  // No pack is much larger than the pack size (one blob may overshoot it).
  for (const auto& [name, size] : arkiv::testing::ListObjects(*store_)) {
    if (name.starts_with("data/")) {
      EXPECT_LT(size, 256u * 1024 + 20000) << name;
    }
  }

  auto fresh = Reopen();
  ASSERT_NE(fresh, nullptr);
  EXPECT_EQ(fresh->index().BlobCount(), blobs.size());
  for (const auto& [id, data] : blobs) {
    auto where = fresh->index().Find(id);
    ASSERT_TRUE(where.has_value()) << id.Hex();
    EXPECT_EQ(where->entry.type, types[id]);
    ASSERT_OK_AND_ASSIGN(Bytes loaded, fresh->LoadBlob(id));
    EXPECT_EQ(loaded, data);
  }
  for (const auto& [id, n] : BlobsInStoredPacks()) EXPECT_EQ(n, 1) << id.Hex();
}

// Small blobs fill few packs with many blobs: index files are cut at
// kMaxBlobsPerIndexFile blobs before kPacksPerIndexFile packs, so no sealed
// index file grows without bound; every blob is indexed exactly once.
TEST_F(BlobSaverTest, IndexFilesAreCutAtTheBlobLimit) {
  store_ = std::make_shared<storage::MemoryStore>();
  InitOptions options = TestInitOptions();
  options.pack_size = 2u << 20;  // ~25,000 tiny blobs a pack
  ASSERT_OK_AND_ASSIGN(repo_, Repository::Init(store_, kTestPassword, options));
  constexpr uint32_t kBlobs = 150'000;
  std::vector<std::pair<Id, Bytes>> saved;
  {
    BlobSaver saver(*repo_, BlobSaverOptions{});
    for (uint32_t i = 0; i < kBlobs; ++i) {
      Bytes data(8);
      std::memcpy(data.data(), &i, sizeof(i));
      Id id = repo_->BlobId(data);
      ASSERT_OK_AND_ASSIGN(bool added, saver.Save(BlobType::kData, id, data));
      ASSERT_TRUE(added);
      if (i % 997 == 0) saved.emplace_back(id, std::move(data));
    }
    ASSERT_OK(saver.Flush());
    EXPECT_LT(saver.stats().packs_uploaded, 2 * BlobSaver::kPacksPerIndexFile);  // the blob limit cuts, not the pack count
  }
  ASSERT_OK_AND_ASSIGN(auto files, repo_->ListFiles(FileKind::kIndex));
  EXPECT_GE(files.size(), kBlobs / kMaxBlobsPerIndexFile + 1);
  size_t total = 0;
  for (const Id& id : files) {
    ASSERT_OK_AND_ASSIGN(Bytes plain, repo_->LoadFile(FileKind::kIndex, id));
    ASSERT_OK_AND_ASSIGN(IndexFile file, IndexFile::Parse(plain));
    size_t blobs = 0;
    for (const auto& pack : file.packs) blobs += pack.blobs.size();
    EXPECT_TRUE(blobs <= kMaxBlobsPerIndexFile || file.packs.size() == 1) << blobs << " blobs in " << file.packs.size();
    total += blobs;
  }
  EXPECT_EQ(total, kBlobs);
  auto fresh = Reopen();
  ASSERT_NE(fresh, nullptr);
  EXPECT_EQ(fresh->index().BlobCount(), kBlobs);
  for (const auto& [id, data] : saved) {
    ASSERT_OK_AND_ASSIGN(Bytes loaded, fresh->LoadBlob(id));
    EXPECT_EQ(loaded, data);
  }
}

TEST_F(BlobSaverTest, DuplicatesAreStoredOnce) {
  Bytes data = PseudoRandomBytes(5000, 1);
  Id id = repo_->BlobId(data);
  {
    BlobSaver saver(*repo_, BlobSaverOptions{});
    ASSERT_OK_AND_ASSIGN(bool first, saver.Save(BlobType::kData, id, data));
    ASSERT_OK_AND_ASSIGN(bool second, saver.Save(BlobType::kData, id, data));
    EXPECT_TRUE(first);
    EXPECT_FALSE(second);
    ASSERT_OK(saver.Flush());
    EXPECT_EQ(saver.stats().blobs_added, 1u);
    EXPECT_EQ(saver.stats().bytes_added, data.size());
  }
  {
    // A later saver finds it in the index.
    BlobSaver saver(*repo_, BlobSaverOptions{});
    ASSERT_OK_AND_ASSIGN(bool again, saver.Save(BlobType::kData, id, data));
    EXPECT_FALSE(again);
    ASSERT_OK(saver.Flush());
    EXPECT_EQ(saver.stats().blobs_added, 0u);
    EXPECT_EQ(saver.stats().index_files, 0u);  // nothing new, no empty index file
  }
  {
    auto fresh = Reopen();
    BlobSaver saver(*fresh, BlobSaverOptions{});
    ASSERT_OK_AND_ASSIGN(bool again, saver.Save(BlobType::kData, id, data));
    EXPECT_FALSE(again);
    ASSERT_OK(saver.Flush());
  }
  auto counts = BlobsInStoredPacks();
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_EQ(counts[id], 1);
  EXPECT_EQ(CountObjects("data/"), 1u);
}

TEST_F(BlobSaverTest, IgnoreExistingStoresAgainWithoutWritingAnIndex) {
  Bytes data = PseudoRandomBytes(5000, 2);
  Id id = repo_->BlobId(data);
  {
    BlobSaver saver(*repo_, BlobSaverOptions{});
    ASSERT_OK(saver.Save(BlobType::kData, id, data));
    ASSERT_OK(saver.Flush());
  }
  size_t index_files = CountObjects("index/");
  BlobSaver saver(*repo_, BlobSaverOptions{.upload_threads = 1, .ignore_existing = true, .write_index = false});
  ASSERT_OK_AND_ASSIGN(bool added, saver.Save(BlobType::kData, id, data));
  EXPECT_TRUE(added);
  ASSERT_OK(saver.Flush());
  EXPECT_EQ(CountObjects("index/"), index_files);
  auto packs = saver.TakeUploadedPacks();
  ASSERT_EQ(packs.size(), 1u);
  ASSERT_EQ(packs[0].blobs.size(), 1u);
  EXPECT_EQ(packs[0].blobs[0].id, id);
  EXPECT_EQ(BlobsInStoredPacks()[id], 2);
  EXPECT_TRUE(saver.TakeUploadedPacks().empty());
}

TEST_F(BlobSaverTest, ConcurrentSavesStoreEachBlobExactlyOnce) {
  constexpr int kThreads = 4, kShared = 100, kOwn = 40;
  std::vector<Bytes> shared;
  for (int i = 0; i < kShared; ++i) shared.push_back(PseudoRandomBytes(6000, 1000 + i));
  std::atomic<int> added{0};
  {
    BlobSaver saver(*repo_, BlobSaverOptions{});
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kShared + kOwn; ++i) {
          // Every thread saves all shared blobs, in a different order, plus its own.
          Bytes data = i < kShared ? shared[(i * 7 + t * 31) % kShared] : PseudoRandomBytes(6000, t * 100 + i);
          auto result = saver.Save(BlobType::kData, repo_->BlobId(data), data);
          ASSERT_TRUE(result.has_value());
          if (*result) added++;
        }
      });
    }
    for (auto& t : threads) t.join();
    ASSERT_OK(saver.Flush());
    EXPECT_EQ(saver.stats().blobs_added, uint64_t(kShared + kThreads * kOwn));
  }
  EXPECT_EQ(added.load(), kShared + kThreads * kOwn);
  auto counts = BlobsInStoredPacks();
  EXPECT_EQ(counts.size(), size_t(kShared + kThreads * kOwn));
  for (const auto& [id, n] : counts) EXPECT_EQ(n, 1) << id.Hex();
  auto fresh = Reopen();
  for (const Bytes& data : shared) {
    ASSERT_OK_AND_ASSIGN(Bytes loaded, fresh->LoadBlob(fresh->BlobId(data)));
    EXPECT_EQ(loaded, data);
  }
}

TEST_F(BlobSaverTest, UploadFailureIsReturnedByFlushAndLaterSaves) {
  auto memory = std::make_shared<storage::MemoryStore>();
  auto failing = std::make_shared<FailingStore>(memory, [](FailingStore::Op op, std::string_view name) {
    return op == FailingStore::Op::kPut && name.starts_with("data/");
  });
  Init(failing);
  BlobSaver saver(*repo_, BlobSaverOptions{});
  Status first_error = OkStatus();
  for (int i = 0; i < 100 && first_error; ++i) {
    Bytes data = PseudoRandomBytes(8000, i);
    auto saved = saver.Save(BlobType::kData, repo_->BlobId(data), data);
    if (!saved) first_error = Fail(saved.error());
  }
  auto flushed = saver.Flush();
  EXPECT_TRUE(FailedWith(flushed, Code::kUnavailable));
  if (!flushed) {
    EXPECT_NE(flushed.error().message().find("injected put failure"), std::string::npos);
  }
  // Once failed, Save reports the error too.
  Bytes more = PseudoRandomBytes(100, 999);
  EXPECT_TRUE(FailedWith(saver.Save(BlobType::kData, repo_->BlobId(more), more), Code::kUnavailable));
  // Nothing references packs that were never stored.
  for (const auto& [name, size] : arkiv::testing::ListObjects(*memory)) {
    EXPECT_FALSE(name.starts_with("data/")) << name;
    EXPECT_FALSE(name.starts_with("index/")) << name;
  }
}

TEST_F(BlobSaverTest, FailureOfTheLastUploadIsReturnedByFlush) {
  auto memory = std::make_shared<storage::MemoryStore>();
  auto failing = std::make_shared<FailingStore>(memory, [](FailingStore::Op op, std::string_view name) {
    return op == FailingStore::Op::kPut && name.starts_with("tree/");
  });
  Init(failing);
  BlobSaver saver(*repo_, BlobSaverOptions{});
  Bytes tree = ToBytes("{\"nodes\":[]}");
  ASSERT_OK_AND_ASSIGN(bool added, saver.Save(BlobType::kTree, repo_->BlobId(tree), tree));
  EXPECT_TRUE(added);  // sealed and queued; the upload happens at Flush
  EXPECT_TRUE(FailedWith(saver.Flush(), Code::kUnavailable));
  EXPECT_EQ(memory->ObjectCount(), 2u);  // config and key only
}

TEST_F(BlobSaverTest, IndexFileFailureIsReturnedByFlush) {
  auto memory = std::make_shared<storage::MemoryStore>();
  auto failing = std::make_shared<FailingStore>(
      memory,
      [](FailingStore::Op op, std::string_view name) {
        return op == FailingStore::Op::kPut && name.starts_with("index/");
      },
      Code::kResourceExhausted);
  Init(failing);
  BlobSaver saver(*repo_, BlobSaverOptions{});
  Bytes data = PseudoRandomBytes(1000, 5);
  ASSERT_OK(saver.Save(BlobType::kData, repo_->BlobId(data), data));
  EXPECT_TRUE(FailedWith(saver.Flush(), Code::kResourceExhausted));
}

}  // namespace
}  // namespace arkiv::repo
