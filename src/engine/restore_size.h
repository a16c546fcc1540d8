// How much a restore of a snapshot reads: every distinct blob below its
// tree (file contents and the trees themselves), at its stored size. What
// `arkiv plan` estimates the restore time and egress from.
#pragma once

#include <cstdint>

#include "core/id.h"
#include "core/status.h"
#include "repo/repository.h"

namespace arkiv::engine {

struct RestoreSize {
  uint64_t bytes = 0;  // sealed, compressed bytes of the distinct blobs
  uint64_t blobs = 0;  // one ranged read each
};

// REQUIRES: the index is loaded. kDataLoss naming the path when a blob is
// not in the index (a restore would fail there too).
Result<RestoreSize> RestoreSizeOf(const repo::Repository& repo, const Id& tree);

}  // namespace arkiv::engine
