// The repository config (object `config`, sealed): format version and the
// parameters every writer must share. Created once by `init`, never changed
// in place.
#pragma once

#include <string>

#include "chunker/fastcdc.h"
#include "core/bytes.h"
#include "core/id.h"
#include "core/status.h"

namespace arkiv::repo {

inline constexpr int kRepositoryVersion = 1;

// zstd level of new repositories. Level 2 rather than zstd's own default of
// 3: on small blobs zstd's level 3 switches to a slower match finder, which
// took 30% of the CPU of a backup of 1M small files for the same size; on
// /usr/share + /usr/lib (2.1 GB) level 2 took 15% less CPU than 3 for 3%
// more bytes stored (level 1: 21% less, 7% more). docs/design.md §5.
inline constexpr int kDefaultCompressionLevel = 2;

struct Config {
  int version = kRepositoryVersion;
  Id id;  // random, names the repository (e.g. in cache paths)
  std::string created;
  chunker::ChunkerParams chunker;
  int compression_level = kDefaultCompressionLevel;
  uint32_t pack_size = 16 * 1024 * 1024;

  static Config Create();
  Bytes Serialize() const;
  // kDataLoss when malformed; kFailedPrecondition for a newer format version.
  static Result<Config> Parse(ByteView bytes);
};

}  // namespace arkiv::repo
