// Writes the seed corpora of fuzz/corpus/<target>/ from the real writers
// (Serialize, SealFile, PackWriter, SplitPack), sealed with FuzzKey(). Sealing uses
// random nonces, so a rerun changes the sealed seeds' bytes but not what
// they hold.
//   usage: fuzz_make_corpus OUTPUT_DIR
#include <filesystem>
#include <fstream>
#include <iostream>

#include "core/hex.h"
#include "crypto/keyed_hash.h"
#include "crypto/sha256.h"
#include "fuzz/fuzz_common.h"
#include "placement/pack_shards.h"
#include "repo/config.h"
#include "repo/index_file.h"
#include "repo/key_file.h"
#include "repo/lock.h"
#include "repo/pack.h"
#include "repo/sealed_file.h"
#include "repo/snapshot.h"
#include "repo/tree.h"

using namespace arkiv;
namespace fs = std::filesystem;

namespace {

fs::path out_dir;

void Write(const std::string& target, const std::string& name, ByteView bytes) {
  fs::path dir = out_dir / target;
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

Bytes Prefixed(std::initializer_list<uint8_t> prefix, ByteView rest) {
  Bytes out(prefix);
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

Id MakeId(uint8_t seed) {
  std::array<uint8_t, 32> b{};
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<uint8_t>(seed * 31 + i * 7);
  return Id(b);
}

Bytes Text(size_t n, uint8_t seed) {  // compressible
  Bytes out;
  std::string_view words = "the quick brown fox jumps over the lazy dog ";
  for (size_t i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(words[(i + seed) % words.size()]));
  return out;
}

Bytes Noise(size_t n, uint32_t seed) {  // incompressible
  Bytes out;
  for (size_t i = 0; i < n; ++i) {
    seed = seed * 1664525u + 1013904223u;
    out.push_back(static_cast<uint8_t>(seed >> 24));
  }
  return out;
}

repo::SealedBlob Blob(repo::BlobType type, ByteView plain) {
  Id id = crypto::KeyedHash(fuzz::FuzzKey().id_key).Hash(plain);
  return repo::SealBlob(fuzz::FuzzKey(), type, id, plain, 3);
}

Bytes HeaderPlaintext(const std::vector<repo::BlobEntry>& entries) {
  Bytes h = ToBytes("ARKP");
  h.push_back(1);
  PutU32(h, static_cast<uint32_t>(entries.size()));
  for (const auto& e : entries) repo::AppendBlobEntry(h, e);
  return h;
}

// Shards of small packs for fuzz_shard, and whole shard sets (each piece
// u16-length-prefixed, after a range) and codec inputs for fuzz_shard_structured.
void WriteShardSeeds(ByteView real_pack) {
  struct Sample {
    int k, m;
    Bytes pack;
  };
  Bytes pack_prefix(real_pack.begin(), real_pack.begin() + std::min<size_t>(real_pack.size(), 4000));
  const Sample samples[] = {{1, 0, {}}, {3, 2, Text(10, 1)}, {2, 1, Noise(333, 2)}, {4, 2, pack_prefix}};
  for (const Sample& s : samples) {
    auto code = placement::ErasureCode::Create(s.k, s.m);
    if (!code) std::abort();
    std::vector<Bytes> objects = placement::SplitPack(*code, crypto::Sha256(s.pack), s.pack);
    std::string name = std::to_string(s.k) + "+" + std::to_string(s.m);
    Write("shard", name + "_first", objects.front());
    Write("shard", name + "_last", objects.back());
    Bytes set = {0};
    PutU32(set, static_cast<uint32_t>(s.pack.size() / 3));
    PutU32(set, static_cast<uint32_t>(s.pack.size() / 2));
    for (size_t i = objects.size() > 1 ? 1 : 0; i < objects.size(); ++i) {  // one shard lost
      set.push_back(static_cast<uint8_t>(objects[i].size()));
      set.push_back(static_cast<uint8_t>(objects[i].size() >> 8));
      set.insert(set.end(), objects[i].begin(), objects[i].end());
    }
    Write("shard_structured", "set_" + name, set);
    Write("shard_structured", "code_" + name,
          Prefixed({1, static_cast<uint8_t>(s.k - 1), static_cast<uint8_t>(s.m), 0x05, 0, 0, 0}, s.pack));
  }
}

repo::Tree SampleTree() {
  repo::Tree tree;
  repo::Node file;
  file.name = "notes.txt";
  file.mode = 0644;
  file.uid = 1000;
  file.gid = 1000;
  file.user = "alice";
  file.group = "staff";
  file.mtime_ns = 1700000000123456789;
  file.ctime_ns = 1700000000123456789;
  file.inode = 42;
  file.device = 2049;
  file.size = 12345;
  file.content = {MakeId(1), MakeId(2)};
  repo::Node dir;
  dir.name = "src";
  dir.type = repo::NodeType::kDirectory;
  dir.mode = 0755;
  dir.subtree = MakeId(3);
  repo::Node link;
  link.name = "latest";
  link.type = repo::NodeType::kSymlink;
  link.mode = 0777;
  link.link_target = "../releases/v1";
  repo::Node odd;  // a name that is not UTF-8: stored as name_b64
  odd.name = std::string("caf\xe9\xff", 5);
  odd.type = repo::NodeType::kSymlink;
  odd.link_target = std::string("\x80target", 7);
  repo::Node dev;
  dev.name = "null";
  dev.type = repo::NodeType::kCharDevice;
  dev.mode = 0666;
  dev.rdev = 0x103;
  repo::Node fifo;
  fifo.name = "pipe";
  fifo.type = repo::NodeType::kFifo;
  repo::Node empty;
  empty.name = "empty";
  empty.mode = 04755;
  tree.nodes = {file, dir, link, odd, dev, fifo, empty};
  return tree;
}

repo::Snapshot SampleSnapshot(bool with_parent) {
  repo::Snapshot s;
  s.time_ns = 1700000000123456789;
  s.host = "backup-host";
  s.user = "root";
  s.paths = {"/home", "/etc"};
  s.tags = with_parent ? std::vector<std::string>{"daily", "manual"} : std::vector<std::string>{};
  if (with_parent) s.parent = MakeId(9);
  s.tree = MakeId(8);
  s.summary.files_new = 10;
  s.summary.files_changed = 2;
  s.summary.dirs = 4;
  s.summary.bytes_processed = 123456;
  s.summary.bytes_total = 654321;
  s.summary.duration_seconds = 1.25;
  s.program_version = "arkiv 0.1.0";
  return s;
}

repo::Config SampleConfig() {
  repo::Config c;
  c.id = MakeId(5);
  c.created = "2026-11-27T13:00:00.123456789Z";
  c.chunker.seed = 0x0123456789abcdef;
  return c;
}

repo::LockInfo SampleLock(bool exclusive) {
  return repo::LockInfo{1700000000123456789, "backup-host", "root", 4242, exclusive};
}

int Run() {
  const auto& key = fuzz::FuzzKey();

  // Packs and their blobs.
  Bytes text = Text(5000, 1), noise = Noise(700, 2), tree_json = SampleTree().Serialize();
  repo::PackWriter data_pack(repo::BlobType::kData);
  data_pack.Add(Blob(repo::BlobType::kData, text));
  data_pack.Add(Blob(repo::BlobType::kData, noise));
  data_pack.Add(Blob(repo::BlobType::kData, Text(64, 3)));
  std::vector<repo::BlobEntry> data_entries;
  Bytes data_bytes = data_pack.Finish(key, &data_entries);
  Write("pack_header", "data_pack", data_bytes);
  repo::PackWriter tree_pack(repo::BlobType::kTree);
  tree_pack.Add(Blob(repo::BlobType::kTree, tree_json));
  std::vector<repo::BlobEntry> tree_entries;
  Write("pack_header", "tree_pack", tree_pack.Finish(key, &tree_entries));
  repo::PackWriter empty_pack(repo::BlobType::kData);
  std::vector<repo::BlobEntry> no_entries;
  Write("pack_header", "empty_pack", empty_pack.Finish(key, &no_entries));

  for (const auto& [name, plain] : {std::pair{"text", text}, std::pair{"noise", noise}}) {
    auto blob = Blob(repo::BlobType::kData, plain);
    Bytes framed;
    repo::AppendBlobEntry(framed, blob.entry);
    framed.insert(framed.end(), blob.bytes.begin(), blob.bytes.end());
    Write("blob", name, framed);
  }

  Bytes data_area(data_bytes.begin(), data_bytes.begin() + data_entries.back().offset + data_entries.back().length);
  Bytes header = HeaderPlaintext(data_entries);
  uint16_t n = static_cast<uint16_t>(data_area.size());
  Bytes structured = Prefixed({uint8_t(n), uint8_t(n >> 8)}, data_area);
  structured.insert(structured.end(), header.begin(), header.end());
  Write("pack_structured", "data_pack", structured);
  Write("pack_structured", "empty_pack", Prefixed({0, 0}, HeaderPlaintext({})));

  Write("blob_structured", "honest_text", Prefixed({0x30}, text));
  Write("blob_structured", "honest_raw", Prefixed({0x00}, noise));
  {
    Bytes compressed;
    codec::Compress(text, 3, compressed);
    uint32_t raw = static_cast<uint32_t>(text.size());
    Write("blob_structured", "zstd_frame",
          Prefixed({0x07, uint8_t(raw), uint8_t(raw >> 8), uint8_t(raw >> 16), uint8_t(raw >> 24)}, compressed));
    Write("blob_structured", "raw_bytes", Prefixed({0x05, 64, 0, 0, 0}, Text(64, 4)));
  }

  // Index files.
  repo::IndexFile index;
  index.supersedes = {MakeId(20), MakeId(21)};
  index.packs.push_back({MakeId(22), data_bytes.size(), data_entries});
  index.packs.push_back({MakeId(23), 1000, {tree_entries}});
  Write("index_file", "two_packs", index.Serialize());
  Write("index_file", "empty", repo::IndexFile{}.Serialize());

  // JSON documents.
  Write("tree", "mixed", tree_json);
  Write("tree", "empty", repo::Tree{}.Serialize());
  Write("snapshot", "with_parent", SampleSnapshot(true).Serialize());
  Write("snapshot", "first", SampleSnapshot(false).Serialize());
  Write("config", "default", SampleConfig().Serialize());
  Write("lock", "shared", SampleLock(false).Serialize());
  Write("lock", "exclusive", SampleLock(true).Serialize());

  auto cheap_key = repo::KeyFile::Create(key, fuzz::kFuzzPassword, crypto::ScryptParams{16, 1, 1});
  if (!cheap_key) {
    std::cerr << cheap_key.error().ToString() << "\n";
    return 1;
  }
  Write("key_file", "cheap", cheap_key->Serialize());
  repo::KeyFile costly = *cheap_key;
  costly.params = crypto::ScryptParams{};  // the default: Unwrap in the fuzzer clamps it
  Write("key_file", "default_params", costly.Serialize());

  // Sealed files, and the plaintexts the structured fuzzer seals itself.
  const std::pair<std::string, Bytes> files[] = {
      {"config", SampleConfig().Serialize()},
      {"snapshot", SampleSnapshot(true).Serialize()},
      {"index", index.Serialize()},
      {"lock", SampleLock(true).Serialize()},
  };
  const std::string_view sealed_file_kinds[] = {"config", "snapshot", "index", "lock"};  // fuzz_sealed_file.cc
  const std::string_view structured_kinds[] = {"index", "snapshot", "config", "lock"};   // fuzz_sealed_structured.cc
  for (const auto& [kind, plain] : files) {
    uint8_t k = static_cast<uint8_t>(std::find(std::begin(sealed_file_kinds), std::end(sealed_file_kinds), kind) -
                                     std::begin(sealed_file_kinds));
    Write("sealed_file", kind, Prefixed({k}, repo::SealFile(key, kind, plain)));
    uint8_t mode = static_cast<uint8_t>(std::find(std::begin(structured_kinds), std::end(structured_kinds), kind) -
                                        std::begin(structured_kinds));
    Write("sealed_structured", kind, Prefixed({mode}, plain));
  }
  Bytes index_plain = index.Serialize();
  Bytes raw_framing{1, 0};
  PutU32(raw_framing, static_cast<uint32_t>(index_plain.size()));
  PutU32(raw_framing, 0);
  raw_framing.insert(raw_framing.end(), index_plain.begin(), index_plain.end());
  Write("sealed_structured", "framing_raw", Prefixed({4}, raw_framing));
  Bytes zstd_framing{1, 1};
  PutU32(zstd_framing, static_cast<uint32_t>(text.size()));
  PutU32(zstd_framing, 0);
  codec::Compress(text, 3, zstd_framing);
  Write("sealed_structured", "framing_zstd", Prefixed({4}, zstd_framing));
  Write("sealed_structured", "tree", Prefixed({5}, tree_json));
  WriteShardSeeds(data_bytes);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fuzz_make_corpus OUTPUT_DIR\n";
    return 2;
  }
  out_dir = argv[1];
  return Run();
}
