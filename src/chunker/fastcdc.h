// FastCDC content-defined chunking (Xia et al., 2016/2020) with normalized
// chunking: a stricter mask before the average size and a looser one after,
// which narrows the size distribution around the average.
//
// The gear table is derived from a per-repository seed, so chunk boundaries
// (and thus chunk sizes) do not reveal which known files a repository holds.
// Thread safety: a Chunker is immutable after construction; FindBoundary may
// run concurrently.
#pragma once

#include <array>
#include <cstdint>

#include "core/bytes.h"
#include "core/status.h"

namespace arkiv::chunker {

struct ChunkerParams {
  uint32_t min_size = 512 * 1024;
  uint32_t avg_size = 1024 * 1024;  // must be a power of two
  uint32_t max_size = 8 * 1024 * 1024;
  uint64_t seed = 0;

  // kInvalidArgument unless 64 B <= min < avg < max <= 64 MiB, avg a power of two.
  Status Validate() const;
};

class Chunker {
 public:
  // REQUIRES: params.Validate() succeeded.
  explicit Chunker(const ChunkerParams& params);

  // Streaming form: the state of a chunk being scanned.
  struct ScanState {
    uint64_t length = 0;  // bytes of the chunk seen so far
    uint64_t hash = 0;
  };
  // Scans `data` as the continuation of the chunk in `state`. Returns how
  // many bytes of `data` belong to the chunk and sets `*cut` when the chunk
  // ends after them (the state is then reset for the next chunk). Feeding a
  // stream in any pieces gives the same chunks as FindBoundary.
  size_t Scan(ByteView data, ScanState& state, bool* cut) const;

  // Returns the length of the first chunk of `data`. When `data` is shorter
  // than max_size and `at_end` is false, a return of 0 means "no boundary
  // yet: give me more bytes". With `at_end`, the rest is one final chunk.
  size_t FindBoundary(ByteView data, bool at_end) const;
  const ChunkerParams& params() const { return params_; }

 private:
  ChunkerParams params_;
  uint64_t mask_small_;
  uint64_t mask_large_;
  std::array<uint64_t, 256> gear_;
};

}  // namespace arkiv::chunker
