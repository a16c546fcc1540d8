// A backup that ran longer than its prune lease renews it before writing its
// snapshot (design.md §13): prune markers written since the backup began may
// name packs its snapshot uses, and those packs may be deleted once the
// marker is due. Rather than give up, the backup copies the blobs it needs
// out of such packs into new ones (indexed before the snapshot), so the
// sweep finds a copy outside the doomed set and deletes only the old pack.
// Only a pack already deleted (the backup outlived the whole safety window)
// cannot be copied from; then the backup fails and is run again.
#pragma once

#include <cstdint>
#include <unordered_set>

#include "core/id.h"
#include "core/status.h"
#include "repo/repository.h"

namespace arkiv::engine {

struct LeaseRenewal {
  uint64_t markers_new = 0;     // markers the backup had not seen
  uint64_t blobs_recopied = 0;  // blobs copied out of newly marked packs
  uint64_t packs_written = 0;   // packs holding those copies
};

// Lists the markers and the stored packs, then walks the snapshot-to-be
// from `root` and copies out of newly marked packs every blob (tree or data)
// it uses there. kAborted, naming the pack, when a blob's pack is gone.
// On success every marker listed is added to `seen_markers`.
Result<LeaseRenewal> RenewPruneLease(repo::Repository& repo, const Id& root,
                                     std::unordered_set<Id, IdHash>& seen_markers, size_t upload_threads);

}  // namespace arkiv::engine
