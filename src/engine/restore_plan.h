// Which pack bytes a restore reads, and where each blob goes.
//
// A restore reads packs, not blobs: every distinct blob the restored files
// need is looked up once in the index, the blobs are sorted by pack and
// offset, and the blobs of one pack that lie close together form a run, read
// with one ranged Get. Each blob then goes to every place it fills (a blob
// may be in many files, and many times in one file).
//
// Memory: one PlannedBlob per distinct blob and one BlobPlace per blob
// reference (16 bytes) of the files planned at once; the restore plans a
// bounded batch of files at a time (RestoreOptions::batch_files).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/id.h"
#include "core/status.h"
#include "repo/index.h"

namespace arkiv::engine {

// Where a run ends. A request costs a round trip (tens of milliseconds on a
// cloud, ~10 ms of moto's CPU) and, on the big clouds, about what 4 KiB of
// egress costs; reading 256 KiB more costs a few milliseconds at cloud
// speeds and is fewer bytes than most skipped blobs. Runs of up to 24 MiB
// cover a whole default pack (16 MiB plus the last chunk, at most 8 MiB), so
// a full restore reads each pack with one request; in flight are at most
// workers × 24 MiB sealed (each blob is written as soon as it is opened, and
// dropped). A single blob beyond these limits is a run of its own.
struct RunLimits {
  uint64_t max_gap = uint64_t{256} * 1024;          // unneeded bytes read between two blobs
  uint64_t max_span = uint64_t{24} * 1024 * 1024;   // sealed bytes of one request
  uint64_t max_plain = uint64_t{32} * 1024 * 1024;  // opened (decompressed) bytes held at once
};

// One place a blob fills: file `file` (its index in the caller's list) at
// `offset`.
struct BlobPlace {
  uint32_t file = 0;
  uint64_t offset = 0;
};

struct PlannedBlob {
  uint32_t pack = 0;  // into RestorePlan::packs
  repo::BlobEntry entry;
  uint32_t first_place = 0;  // places[first_place, first_place + place_count)
  uint32_t place_count = 0;
};

// Blobs [first_blob, first_blob + blob_count) of one pack, read with one Get
// of bytes [offset, offset + length).
struct PackRun {
  uint32_t pack = 0;
  uint32_t first_blob = 0;
  uint32_t blob_count = 0;
  uint64_t offset = 0;
  uint64_t length = 0;
};

struct PlannedFile {
  uint64_t size = 0;     // sum of its blobs' plaintext lengths
  uint32_t pieces = 0;   // blob references (places) that fill it
  bool missing = false;  // some blob is not in the index: not planned at all
};

struct RestorePlan {
  std::vector<Id> packs;
  std::vector<PlannedBlob> blobs;  // sorted by (pack, offset)
  std::vector<BlobPlace> places;   // grouped by blob, each group by (file, offset)
  std::vector<PackRun> runs;       // in (pack, offset) order
  std::vector<PlannedFile> files;  // one per input file
  // Files left out, with the reason (a blob the index does not know).
  std::vector<std::pair<uint32_t, Error>> errors;
};

// `contents[i]` is the blob list of file i, in file order.
RestorePlan PlanRestore(const repo::Index& index, const std::vector<const std::vector<Id>*>& contents,
                        const RunLimits& limits = {});

}  // namespace arkiv::engine
