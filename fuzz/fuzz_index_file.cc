// IndexFile::Parse on an index file's plaintext. Properties: blobs tile their
// pack from offset 0 within its size; the encoding is canonical (Serialize
// gives back exactly the parsed bytes); a parse of the serialized form gives
// equal content; the in-memory index (repo/index.h) lists every pack back as
// parsed and finds every blob at its first copy.
#include <map>
#include <set>

#include "fuzz/fuzz_common.h"
#include "repo/index.h"
#include "repo/index_file.h"

using namespace arkiv;

namespace {

bool SameEntry(const repo::BlobEntry& a, const repo::BlobEntry& b) {
  return a.id == b.id && a.type == b.type && a.compression == b.compression && a.offset == b.offset &&
         a.length == b.length && a.raw_length == b.raw_length;
}

bool SameContent(const repo::IndexFile& a, const repo::IndexFile& b) {
  if (a.supersedes != b.supersedes || a.packs.size() != b.packs.size()) return false;
  for (size_t i = 0; i < a.packs.size(); ++i) {
    const auto& pa = a.packs[i];
    const auto& pb = b.packs[i];
    if (pa.id != pb.id || pa.size != pb.size || pa.blobs.size() != pb.blobs.size()) return false;
    for (size_t k = 0; k < pa.blobs.size(); ++k) {
      if (!SameEntry(pa.blobs[k], pb.blobs[k])) return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView in(data, size);
  auto file = repo::IndexFile::Parse(in);
  if (!file) return 0;
  for (const auto& pack : file->packs) {
    uint64_t end = 0;  // blobs follow each other from the pack's start
    for (const auto& blob : pack.blobs) {
      FUZZ_CHECK(blob.offset == end);
      end += blob.length;
      FUZZ_CHECK(end <= pack.size);
    }
  }
  Bytes again = file->Serialize();
  FUZZ_CHECK(again.size() == size && std::equal(again.begin(), again.end(), data));
  auto reparsed = repo::IndexFile::Parse(again);
  FUZZ_CHECK(reparsed.has_value());
  FUZZ_CHECK(SameContent(*file, *reparsed));

  repo::Index index;
  std::set<Id> pack_ids;
  std::vector<const repo::IndexedPack*> distinct;  // a pack listed twice is indexed once
  std::map<Id, std::pair<Id, repo::BlobEntry>> first_copy;
  for (const auto& pack : file->packs) {
    index.AddPack(pack);
    if (!pack_ids.insert(pack.id).second) continue;
    distinct.push_back(&pack);
    for (const auto& blob : pack.blobs) first_copy.try_emplace(blob.id, pack.id, blob);
  }
  size_t k = 0;
  bool same = true;
  index.ForEachPack([&](const repo::IndexedPack& pack) {
    if (k >= distinct.size() || pack.id != distinct[k]->id || pack.size != distinct[k]->size ||
        pack.blobs.size() != distinct[k]->blobs.size()) {
      same = false;
    } else {
      for (size_t i = 0; i < pack.blobs.size(); ++i) same = same && SameEntry(pack.blobs[i], distinct[k]->blobs[i]);
    }
    k++;
  });
  FUZZ_CHECK(same && k == distinct.size());
  FUZZ_CHECK(index.BlobCount() == first_copy.size());
  for (const auto& [id, where] : first_copy) {
    auto found = index.Find(id);
    FUZZ_CHECK(found.has_value() && found->pack == where.first && SameEntry(found->entry, where.second));
  }
  return 0;
}
