// Index files (`index/<sha256>`, sealed): which blobs each pack holds.
//
//   "ARKI" | version u8 | supersedes u32 | supersedes × id[32]
//   | packs u32 | per pack: id[32] | size u64 | blobs u32 | blobs × BlobEntry
// `supersedes` lists index files this one replaces (written by prune); a
// reader ignores superseded files that still exist after a crash.
#pragma once

#include <vector>

#include "core/bytes.h"
#include "core/id.h"
#include "core/status.h"
#include "repo/blob_entry.h"

namespace arkiv::repo {

// Writers cut index files at this many blobs (at a pack boundary; a pack with
// more blobs gets a file of its own), so no file grows without bound.
inline constexpr size_t kMaxBlobsPerIndexFile = 65536;

struct IndexedPack {
  Id id;
  uint64_t size = 0;  // whole pack, header included
  std::vector<BlobEntry> blobs;
};

struct IndexFile {
  std::vector<Id> supersedes;
  std::vector<IndexedPack> packs;

  Bytes Serialize() const;
  static Result<IndexFile> Parse(ByteView bytes);
};

}  // namespace arkiv::repo
