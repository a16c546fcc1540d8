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

struct Config {
  int version = kRepositoryVersion;
  Id id;  // random, names the repository (e.g. in cache paths)
  std::string created;
  chunker::ChunkerParams chunker;
  int compression_level = 3;
  uint32_t pack_size = 16 * 1024 * 1024;

  static Config Create();
  Bytes Serialize() const;
  // kDataLoss when malformed; kFailedPrecondition for a newer format version.
  static Result<Config> Parse(ByteView bytes);
};

}  // namespace arkiv::repo
