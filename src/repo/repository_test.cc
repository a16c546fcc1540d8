#include "repo/repository.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "crypto/random.h"
#include "crypto/sha256.h"
#include "repo/blob_saver.h"
#include "repo/repo_test_util.h"
#include "repo/sealed_file.h"
#include "storage/backends/memory_store.h"
#include "storage/wrappers/fault_store.h"

namespace arkiv::repo {
namespace {

using arkiv::testing::FailedWith;
using arkiv::testing::kTestPassword;
using arkiv::testing::PseudoRandomBytes;
using arkiv::testing::TestInitOptions;
using arkiv::testing::TestKdf;

class RepositoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_shared<storage::MemoryStore>();
    auto repo = Repository::Init(store_, kTestPassword, TestInitOptions());
    ASSERT_TRUE(repo.has_value()) << repo.error().ToString();
    repo_ = std::move(*repo);
  }

  Result<std::unique_ptr<Repository>> Open(std::string_view password = kTestPassword) {
    return Repository::Open(store_, password);
  }

  Id SaveSnapshot(int64_t time_ns, std::string host = "h") {
    Snapshot s;
    s.time_ns = time_ns;
    s.host = std::move(host);
    s.tree = crypto::RandomId();
    auto id = repo_->SaveFile(FileKind::kSnapshot, s.Serialize());
    EXPECT_TRUE(id.has_value());
    return id.value_or(Id());
  }

  std::shared_ptr<storage::MemoryStore> store_;
  std::unique_ptr<Repository> repo_;
};

TEST_F(RepositoryTest, InitWritesConfigAndOneKey) {
  auto objects = arkiv::testing::ListObjects(*store_);
  ASSERT_EQ(objects.size(), 2u);
  EXPECT_TRUE(objects.contains("config"));
  EXPECT_TRUE(objects.contains(FileName(FileKind::kKey, repo_->key_id())));
  EXPECT_EQ(repo_->config().pack_size, 256u * 1024);
  EXPECT_EQ(repo_->config().chunker.avg_size, 16u * 1024);
  EXPECT_NE(repo_->config().chunker.seed, 0u);
}

TEST_F(RepositoryTest, OpenWithTheRightPasswordGivesTheSameRepository) {
  ASSERT_OK_AND_ASSIGN(auto opened, Open());
  EXPECT_EQ(opened->config().id, repo_->config().id);
  EXPECT_EQ(opened->config().chunker.seed, repo_->config().chunker.seed);
  EXPECT_EQ(opened->key().encryption, repo_->key().encryption);
  EXPECT_EQ(opened->key().id_key, repo_->key().id_key);
  EXPECT_EQ(opened->key_id(), repo_->key_id());
  EXPECT_EQ(opened->BlobId(AsBytes("x")), repo_->BlobId(AsBytes("x")));
}

TEST_F(RepositoryTest, OpenWithAWrongPasswordIsWrongPassword) {
  EXPECT_TRUE(FailedWith(Open("wrong"), Code::kWrongPassword));
  EXPECT_TRUE(FailedWith(Open(""), Code::kWrongPassword));
}

TEST(RepositoryOpenTest, EmptyStoreIsRepositoryNotFound) {
  auto store = std::make_shared<storage::MemoryStore>();
  EXPECT_TRUE(FailedWith(Repository::Open(store, kTestPassword), Code::kRepositoryNotFound));
}

// A store whose bucket or container is missing says so (kFailedPrecondition):
// no repository there either, and the store's message is the one to show.
TEST(RepositoryOpenTest, MissingBucketIsRepositoryNotFoundWithTheStoresMessage) {
  auto store = std::make_shared<storage::FaultStore>(std::make_shared<storage::MemoryStore>());
  store->AddRule(storage::FaultRule::Fail(Code::kFailedPrecondition).On(storage::Operation::kGet));
  auto opened = Repository::Open(store, kTestPassword);
  ASSERT_TRUE(FailedWith(opened, Code::kRepositoryNotFound));
  EXPECT_NE(opened.error().message().find("injected fault"), std::string::npos) << opened.error().message();
}

TEST_F(RepositoryTest, InitTwiceIsAlreadyExistsAndChangesNothing) {
  auto before = arkiv::testing::ListObjects(*store_);
  EXPECT_TRUE(FailedWith(Repository::Init(store_, "other", TestInitOptions()), Code::kAlreadyExists));
  EXPECT_EQ(arkiv::testing::ListObjects(*store_), before);
  EXPECT_OK(Open());
}

TEST(RepositoryInitTest, InvalidChunkerParamsAreRefused) {
  auto store = std::make_shared<storage::MemoryStore>();
  InitOptions options = TestInitOptions();
  options.chunker.avg_size = 10000;  // not a power of two
  EXPECT_TRUE(FailedWith(Repository::Init(store, kTestPassword, options), Code::kInvalidArgument));
  EXPECT_EQ(store->ObjectCount(), 0u);
}

TEST_F(RepositoryTest, DamagedConfigIsDataLoss) {
  Bytes* config = store_->MutableObject("config");
  ASSERT_NE(config, nullptr);
  (*config)[config->size() / 2] ^= 1;
  EXPECT_TRUE(FailedWith(Open(), Code::kDataLoss));
}

TEST_F(RepositoryTest, DamagedOnlyKeyIsDataLoss) {
  Bytes* key = store_->MutableObject(FileName(FileKind::kKey, repo_->key_id()));
  ASSERT_NE(key, nullptr);
  key->assign({'{', '}'});
  EXPECT_TRUE(FailedWith(Open(), Code::kDataLoss));
}

TEST_F(RepositoryTest, NoKeysIsDataLoss) {
  ASSERT_OK(store_->Remove(FileName(FileKind::kKey, repo_->key_id())));
  EXPECT_TRUE(FailedWith(Open(), Code::kDataLoss));
}

TEST_F(RepositoryTest, ConfigFromANewerVersionIsFailedPrecondition) {
  Config newer = repo_->config();
  newer.version = kRepositoryVersion + 1;
  ASSERT_OK(store_->Put("config", SealFile(repo_->key(), "config", newer.Serialize())));
  EXPECT_TRUE(FailedWith(Open(), Code::kFailedPrecondition));
}

TEST_F(RepositoryTest, AddKeyOpensWithTheSecondPassword) {
  ASSERT_OK_AND_ASSIGN(Id second, repo_->AddKey("second password", TestKdf()));
  EXPECT_NE(second, repo_->key_id());
  ASSERT_OK_AND_ASSIGN(auto opened, Open("second password"));
  EXPECT_EQ(opened->key_id(), second);
  EXPECT_EQ(opened->key().encryption, repo_->key().encryption);
  EXPECT_EQ(opened->config().id, repo_->config().id);
  ASSERT_OK_AND_ASSIGN(auto first, Open());
  EXPECT_EQ(first->key_id(), repo_->key_id());
  EXPECT_TRUE(FailedWith(Open("neither"), Code::kWrongPassword));

  ASSERT_OK_AND_ASSIGN(auto keys, repo_->ListKeys());
  ASSERT_EQ(keys.size(), 2u);
  std::set<Id> ids{keys[0].first, keys[1].first};
  EXPECT_EQ(ids, (std::set<Id>{second, repo_->key_id()}));
}

TEST_F(RepositoryTest, RemoveKeyRefusesTheKeyInUse) {
  ASSERT_OK_AND_ASSIGN(Id second, repo_->AddKey("second", TestKdf()));
  EXPECT_TRUE(FailedWith(repo_->RemoveKey(repo_->key_id()), Code::kFailedPrecondition));
  EXPECT_OK(Open());  // still there

  ASSERT_OK_AND_ASSIGN(auto via_second, Open("second"));
  EXPECT_TRUE(FailedWith(via_second->RemoveKey(second), Code::kFailedPrecondition));
  ASSERT_OK(via_second->RemoveKey(repo_->key_id()));
  EXPECT_TRUE(FailedWith(Open(), Code::kWrongPassword));
  EXPECT_OK(Open("second"));
  EXPECT_TRUE(FailedWith(via_second->RemoveKey(crypto::RandomId()), Code::kNotFound));
}

TEST_F(RepositoryTest, SaveAndLoadFilesAreNamedByTheirHash) {
  Bytes payload = ToBytes("index payload");
  ASSERT_OK_AND_ASSIGN(Id id, repo_->SaveFile(FileKind::kIndex, payload));
  ASSERT_OK_AND_ASSIGN(Bytes stored, store_->Get(FileName(FileKind::kIndex, id)));
  EXPECT_EQ(crypto::Sha256(stored), id);
  ASSERT_OK_AND_ASSIGN(Bytes loaded, repo_->LoadFile(FileKind::kIndex, id));
  EXPECT_EQ(loaded, payload);
  ASSERT_OK_AND_ASSIGN(auto ids, repo_->ListFiles(FileKind::kIndex));
  EXPECT_EQ(ids, std::vector<Id>{id});
  EXPECT_TRUE(FailedWith(repo_->LoadFile(FileKind::kSnapshot, id), Code::kNotFound));

  // A file copied under another kind's name fails authentication.
  ASSERT_OK(store_->Put(FileName(FileKind::kSnapshot, id), stored));
  EXPECT_TRUE(FailedWith(repo_->LoadFile(FileKind::kSnapshot, id), Code::kDataLoss));

  Bytes* object = store_->MutableObject(FileName(FileKind::kIndex, id));
  (*object)[0] ^= 1;
  EXPECT_TRUE(FailedWith(repo_->LoadFile(FileKind::kIndex, id), Code::kDataLoss));
  ASSERT_OK(repo_->RemoveFile(FileKind::kIndex, id));
  EXPECT_TRUE(FailedWith(repo_->LoadFile(FileKind::kIndex, id), Code::kNotFound));
}

TEST_F(RepositoryTest, LoadSnapshotsSortsByTime) {
  Id c = SaveSnapshot(3000);
  Id a = SaveSnapshot(1000);
  Id b = SaveSnapshot(2000);
  ASSERT_OK_AND_ASSIGN(auto all, repo_->LoadSnapshots());
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, a);
  EXPECT_EQ(all[1].id, b);
  EXPECT_EQ(all[2].id, c);
  EXPECT_EQ(all[1].snapshot.time_ns, 2000);
}

TEST_F(RepositoryTest, FindSnapshotByIdPrefixAndLatest) {
  EXPECT_TRUE(FailedWith(repo_->FindSnapshot("latest"), Code::kNotFound));
  Id newest = SaveSnapshot(5'000'000'000);
  Id older = SaveSnapshot(1'000'000'000);
  ASSERT_OK_AND_ASSIGN(auto latest, repo_->FindSnapshot("latest"));
  EXPECT_EQ(latest.id, newest);
  EXPECT_EQ(latest.snapshot.time_ns, 5'000'000'000);

  ASSERT_OK_AND_ASSIGN(auto full, repo_->FindSnapshot(older.Hex()));
  EXPECT_EQ(full.id, older);
  // The shortest prefix that tells the two apart, at least 4 digits.
  size_t common = 0;
  while (older.Hex()[common] == newest.Hex()[common]) ++common;
  std::string prefix = older.Hex().substr(0, std::max<size_t>(4, common + 1));
  ASSERT_OK_AND_ASSIGN(auto by_prefix, repo_->FindSnapshot(prefix));
  EXPECT_EQ(by_prefix.id, older);
  EXPECT_EQ(by_prefix.snapshot.time_ns, 1'000'000'000);
}

TEST_F(RepositoryTest, FindSnapshotRejectsAmbiguousUnknownAndInvalid) {
  Id real = SaveSnapshot(1);
  // Two names sharing a prefix; the ambiguity is found from the names alone.
  ASSERT_OK(store_->Put("snapshots/abcd" + std::string(60, '0'), AsBytes("x")));
  ASSERT_OK(store_->Put("snapshots/abcd" + std::string(60, '1'), AsBytes("y")));
  auto ambiguous = repo_->FindSnapshot("abcd");
  EXPECT_TRUE(FailedWith(ambiguous, Code::kInvalidArgument));
  if (!ambiguous) {
    EXPECT_NE(ambiguous.error().message().find("ambiguous"), std::string::npos);
  }

  std::string unknown = real.Hex()[0] == '0' ? "1111" : "0000";
  EXPECT_TRUE(FailedWith(repo_->FindSnapshot(unknown + "ffff"), Code::kNotFound));
  for (std::string_view bad : {"", "abc", "ABCD", "xyz1", "latest ", "12 4", "-123"}) {
    EXPECT_TRUE(FailedWith(repo_->FindSnapshot(bad), Code::kInvalidArgument)) << bad;
  }
  EXPECT_TRUE(FailedWith(repo_->FindSnapshot(std::string(65, 'a')), Code::kInvalidArgument));
}

TEST_F(RepositoryTest, LoadBlobOfAnUnknownBlobIsNotFound) {
  EXPECT_TRUE(FailedWith(repo_->LoadBlob(crypto::RandomId()), Code::kNotFound));
  EXPECT_TRUE(FailedWith(repo_->LoadTree(crypto::RandomId()), Code::kNotFound));
}


// A store holding two copies of every object, the first with one byte
// flipped at `damage` (when set): GetChecked offers the damaged copy first,
// then the good one, as the placement store does with replicas.
class TwoCopyStore : public storage::MemoryStore {
 public:
  std::optional<uint64_t> damage;  // offset in the object
  bool down = false;
  int copies_offered = 0;

  Result<Bytes> GetChecked(std::string_view name, uint64_t offset, uint64_t length,
                           const std::function<Status(ByteView)>& check) override {
    if (down) return Fail(Code::kUnavailable, "store down");
    ASSIGN_OR_RETURN(Bytes good, Get(name, offset, length));
    if (damage && *damage >= offset && *damage < offset + good.size()) {
      Bytes bad = good;
      bad[*damage - offset] ^= 0x40;
      copies_offered++;
      if (check(bad)) return bad;
    }
    copies_offered++;
    RETURN_IF_ERROR(check(good));
    return good;
  }
};

class ReadBlobRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_shared<TwoCopyStore>();
    auto repo = Repository::Init(store_, kTestPassword, TestInitOptions());
    ASSERT_TRUE(repo.has_value()) << repo.error().ToString();
    BlobSaver saver(**repo, {});
    for (int i = 0; i < 5; ++i) {
      plain_.push_back(PseudoRandomBytes(10'000 + 3'000 * i, 40 + i));
      ASSERT_TRUE(saver.Save(BlobType::kData, (*repo)->BlobId(plain_.back()), plain_.back()).has_value());
    }
    ASSERT_TRUE(saver.Flush().has_value());
    auto opened = Repository::Open(store_, kTestPassword);
    ASSERT_TRUE(opened.has_value()) << opened.error().ToString();
    repo_ = std::move(*opened);
    ASSERT_TRUE(repo_->LoadIndex().has_value());
    ASSERT_EQ(repo_->index().PackCount(), 1u);
    pack_ = repo_->index().PackWithBlobs(0);
    ASSERT_EQ(pack_.blobs.size(), plain_.size());
  }

  // What ReadBlobRun hands over: each blob's results, in the order given.
  std::map<size_t, std::vector<Result<Bytes>>> Read(Status& status) {
    std::map<size_t, std::vector<Result<Bytes>>> handed;
    status = repo_->ReadBlobRun(pack_.id, pack_.blobs, BlobCheck::kFull,
                                [&](size_t i, Result<Bytes> blob) { handed[i].push_back(std::move(blob)); });
    return handed;
  }
  // The plaintext of the pack's blob i (the pack orders blobs its own way).
  const Bytes& PlainOf(size_t i) const {
    for (const Bytes& p : plain_) {
      if (repo_->BlobId(p) == pack_.blobs[i].id) return p;
    }
    static const Bytes kNone;
    return kNone;
  }

  // Every blob of the pack handed over exactly once, with its plaintext.
  void ExpectEachOnceAndRight(const std::map<size_t, std::vector<Result<Bytes>>>& handed) const {
    ASSERT_EQ(handed.size(), pack_.blobs.size());
    for (const auto& [i, results] : handed) {
      ASSERT_EQ(results.size(), 1u) << "blob " << i << " handed over more than once";
      ASSERT_TRUE(results[0].has_value()) << results[0].error().ToString();
      EXPECT_EQ(*results[0], PlainOf(i)) << "blob " << i;
    }
  }

  std::shared_ptr<TwoCopyStore> store_;
  std::unique_ptr<Repository> repo_;
  std::vector<Bytes> plain_;
  IndexedPack pack_;
};

TEST_F(ReadBlobRunTest, HandsOverEveryBlobOnceFromOneRead) {
  Status status;
  auto handed = Read(status);
  ASSERT_TRUE(status.has_value()) << status.error().ToString();
  EXPECT_EQ(store_->copies_offered, 1);
  ExpectEachOnceAndRight(handed);
}

TEST_F(ReadBlobRunTest, ADamagedCopyGivesItsGoodBlobsAndTheNextCopyOnlyTheRest) {
  // A byte inside the third blob of the first copy.
  store_->damage = pack_.blobs[2].offset + pack_.blobs[2].length / 2;
  Status status;
  auto handed = Read(status);
  ASSERT_TRUE(status.has_value()) << status.error().ToString();
  EXPECT_EQ(store_->copies_offered, 2);
  ExpectEachOnceAndRight(handed);
}

TEST_F(ReadBlobRunTest, AStoreThatCannotReadFailsEveryBlobOnceWithItsError) {
  store_->down = true;
  Status status;
  auto handed = Read(status);
  ASSERT_TRUE(status.has_value()) << status.error().ToString();
  ASSERT_EQ(handed.size(), pack_.blobs.size());
  for (const auto& [i, results] : handed) {
    ASSERT_EQ(results.size(), 1u) << "blob " << i;
    EXPECT_TRUE(FailedWith(results[0], Code::kUnavailable)) << "blob " << i;
  }
}

TEST_F(ReadBlobRunTest, BlobsOutOfOrderAreRefused) {
  std::vector<BlobEntry> reversed(pack_.blobs.rbegin(), pack_.blobs.rend());
  Status status = repo_->ReadBlobRun(pack_.id, reversed, BlobCheck::kFull, [](size_t, Result<Bytes>) {});
  EXPECT_TRUE(FailedWith(status, Code::kInvalidArgument));
}

}  // namespace
}  // namespace arkiv::repo
