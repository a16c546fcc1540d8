// Structured: fuzzer-chosen plaintext is sealed with FuzzKey() the way a
// writer would, then read back the way a reader does, so the fuzzer works
// past authentication. The first byte picks the path:
//   0 index, 1 snapshot, 2 config, 3 lock: SealFile → OpenSealedFile → Parse
//   4 framing: the fuzzer writes the sealed file's framing itself
//     (version, compression, raw size, payload), sealed as an index
//   5 tree: the plaintext as a tree blob in a pack → ReadPackHeader →
//     OpenBlob → Tree::Parse
// Property: what SealFile or a PackWriter wrote opens to the same plaintext.
#include "crypto/keyed_hash.h"
#include "fuzz/fuzz_common.h"
#include "repo/config.h"
#include "repo/index_file.h"
#include "repo/lock.h"
#include "repo/pack.h"
#include "repo/sealed_file.h"
#include "repo/snapshot.h"
#include "repo/system_info.h"
#include "repo/tree.h"

using namespace arkiv;

namespace {

// Larger claimed sizes are accepted by design (up to kMaxSealedFileSize) and
// only make zstd allocate and zero that much per run: they teach nothing.
constexpr uint64_t kMaxFuzzRawSize = 1u << 20;

void ParseAs(std::string_view kind, ByteView plain) {
  if (kind == "index") {
    (void)repo::IndexFile::Parse(plain);
  } else if (kind == "snapshot") {
    if (auto s = repo::Snapshot::Parse(plain)) (void)s->Serialize();
  } else if (kind == "config") {
    if (auto c = repo::Config::Parse(plain)) (void)c->Serialize();
  } else if (kind == "lock") {
    if (auto l = repo::LockInfo::Parse(plain)) {
      (void)l->IsStale(repo::NowUnixNanos());
      (void)l->Describe();
    }
  }
}

void SealedFileRoundTrip(std::string_view kind, ByteView plain) {
  const auto& key = fuzz::FuzzKey();
  Bytes sealed = repo::SealFile(key, kind, plain);
  auto opened = repo::OpenSealedFile(key, kind, sealed);
  FUZZ_CHECK(opened.has_value());
  FUZZ_CHECK(std::equal(opened->begin(), opened->end(), plain.begin(), plain.end()));
  ParseAs(kind, *opened);
}

void Framing(ByteView framing) {
  const auto& key = fuzz::FuzzKey();
  Bytes framed(framing.begin(), framing.end());
  if (framed.size() >= 10 && framed[1] != 0) {
    uint64_t raw = GetU32(&framed[2]) | uint64_t(GetU32(&framed[6])) << 32;
    if (raw > kMaxFuzzRawSize && raw <= repo::kMaxSealedFileSize) {
      raw %= kMaxFuzzRawSize;
      for (int i = 0; i < 8; ++i) framed[2 + i] = static_cast<uint8_t>(raw >> (8 * i));
    }
  }
  Bytes sealed = crypto::Aead(key.encryption).Seal(framed, AsBytes("arkiv index"));
  auto opened = repo::OpenSealedFile(key, "index", sealed);
  if (opened) ParseAs("index", *opened);
}

void TreeInPack(ByteView plain) {
  const auto& key = fuzz::FuzzKey();
  Id id = crypto::KeyedHash(key.id_key).Hash(plain);
  repo::PackWriter writer(repo::BlobType::kTree);
  writer.Add(repo::SealBlob(key, repo::BlobType::kTree, id, plain, 3));
  std::vector<repo::BlobEntry> written;
  Bytes pack = writer.Finish(key, &written);
  auto entries = repo::ReadPackHeader(key, pack);
  FUZZ_CHECK(entries.has_value() && entries->size() == 1 && written.size() == 1);
  const repo::BlobEntry& entry = entries->front();
  FUZZ_CHECK(entry.id == id && entry.length == written[0].length && entry.raw_length == plain.size());
  auto blob = repo::OpenBlob(key, entry, ByteView(pack).subspan(entry.offset, entry.length));
  FUZZ_CHECK(blob.has_value());
  FUZZ_CHECK(std::equal(blob->begin(), blob->end(), plain.begin(), plain.end()));
  (void)repo::Tree::Parse(*blob);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static constexpr std::string_view kKinds[] = {"index", "snapshot", "config", "lock"};
  fuzz::InputReader in(data, size);
  uint8_t mode = in.U8() % 6;
  if (mode < 4) {
    SealedFileRoundTrip(kKinds[mode], in.Rest());
  } else if (mode == 4) {
    Framing(in.Rest());
  } else {
    TreeInPack(in.Rest());
  }
  return 0;
}
