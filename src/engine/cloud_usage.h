// What one store holds, from a listing: bytes of data packs (copies or
// shards) and of everything else, and its largest data objects (which
// `arkiv plan --measure` reads to time the store). On the placement store
// the listing is the logical one: each pack once, at its size.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "storage/store.h"

namespace arkiv::engine {

struct CloudUsage {
  uint64_t data_bytes = 0;  // objects under data/
  uint64_t data_objects = 0;
  uint64_t other_bytes = 0;               // everything else but locks
  std::vector<std::string> largest_data;  // the largest data objects, largest first
};

// Lists `store` once. Locks are left out: they come and go. The store's
// error when the listing fails.
Result<CloudUsage> CloudUsageOf(storage::Store& store, size_t keep_largest = 4);

}  // namespace arkiv::engine
