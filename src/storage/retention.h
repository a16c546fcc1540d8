// Which objects a cloud-side retention lock (S3 Object Lock, Azure
// immutability policy) is put on: everything of the repository (config,
// keys, cloud set, snapshots, index, packs) except arkiv's own bookkeeping —
// locks, prune markers and status records — which every run rewrites or
// removes. A thief may delete bookkeeping; it holds no data.
#pragma once

#include <string_view>

namespace arkiv::storage {

inline bool RetentionApplies(std::string_view name) {
  for (std::string_view own : {"locks/", "prune/", "status/"}) {
    if (name.starts_with(own)) return false;
  }
  return true;
}

}  // namespace arkiv::storage
