// A repository over several clouds: reading and writing its cloud set
// (design.md §20.1) and putting an open repository onto the placement store
// over all of its clouds.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/status.h"
#include "placement/cloud_set.h"
#include "placement/placement_store.h"
#include "repo/repository.h"
#include "storage/store.h"

namespace arkiv::engine {

// Opens the store of one cloud (the CLI adds its wrappers and limits).
using StoreOpener = std::function<Result<std::shared_ptr<storage::Store>>(const placement::CloudSpec& cloud)>;

// The newest cloud set in the repository (highest generation); nullopt for
// a single-store repository. Damaged cloud set files are skipped if a good
// one is left; kDataLoss if none is.
Result<std::optional<placement::CloudSet>> LoadCloudSet(repo::Repository& repo);

// LoadCloudSet for commands that need clouds: kFailedPrecondition naming the
// store for a single-store repository.
Result<placement::CloudSet> RequireCloudSet(repo::Repository& repo);

// Opens every cloud of `set` with `open` and makes the placement store.
Result<std::shared_ptr<placement::PlacementStore>> OpenClouds(const placement::CloudSet& set, const StoreOpener& open);

// LoadCloudSet, then OpenClouds, then repo.ReplaceStore. Returns the
// placement store, or nullptr for a single-store repository.
Result<std::shared_ptr<placement::PlacementStore>> AttachClouds(repo::Repository& repo, const StoreOpener& open);

// Makes `set` the repository's cloud set: writes it, then removes the older
// cloud set files (so that an interruption leaves the old or the new set
// newest, never none). REQUIRES: an exclusive lock.
Status PublishCloudSet(repo::Repository& repo, const placement::CloudSet& set);

// `arkiv cloud replace`: puts `replacement` in the place (and shard index) of
// cloud `old_name`. Everything the new cloud must hold is first rebuilt onto
// it from the others (as `repair` does), and only then is the new cloud set
// (generation + 1) written and the older ones removed — so the repository
// never depends on a cloud that is not filled yet, and an interrupted
// replace is simply run again. REQUIRES: the index is loaded, an exclusive
// lock is held. Returns the new set; the repository is left on it.
struct ReplaceReport {
  placement::CloudSet set;
  uint64_t rebuilt = 0;
  uint64_t bytes_written = 0;
};
Result<ReplaceReport> ReplaceCloud(repo::Repository& repo, const placement::CloudSet& current,
                                   std::string_view old_name, const placement::CloudSpec& replacement,
                                   const StoreOpener& open,
                                   const std::function<void(std::string_view)>& progress = nullptr);

// The placement store under `repo`, or nullptr.
std::shared_ptr<placement::PlacementStore> PlacementOf(const repo::Repository& repo);

}  // namespace arkiv::engine
