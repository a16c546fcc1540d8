#include "engine/clouds.h"

#include <fmt/format.h>

#include "core/log.h"

namespace arkiv::engine {

Result<std::optional<placement::CloudSet>> LoadCloudSet(repo::Repository& repo) {
  ASSIGN_OR_RETURN(auto ids, repo.ListFiles(repo::FileKind::kClouds));
  std::optional<placement::CloudSet> newest;
  std::optional<Error> damage;
  for (const Id& id : ids) {
    auto plain = repo.LoadFile(repo::FileKind::kClouds, id);
    Result<placement::CloudSet> set = plain ? placement::CloudSet::Parse(*plain) : Fail(plain.error());
    if (!set) {
      damage = set.error().Context(repo::FileName(repo::FileKind::kClouds, id));
      LogLine(LogLevel::kWarning, damage->message());
      continue;
    }
    if (!newest || set->generation > newest->generation) newest = std::move(*set);
  }
  if (!newest && damage) return Fail(Code::kDataLoss, damage->message());
  return newest;
}

Result<placement::CloudSet> RequireCloudSet(repo::Repository& repo) {
  ASSIGN_OR_RETURN(auto set, LoadCloudSet(repo));
  if (!set) {
    return Fail(Code::kFailedPrecondition,
                fmt::format("{} is a single-store repository (no clouds; see `arkiv init --cloud`)",
                            repo.store().Location()));
  }
  return std::move(*set);
}

Result<std::shared_ptr<placement::PlacementStore>> OpenClouds(const placement::CloudSet& set, const StoreOpener& open) {
  std::vector<placement::Cloud> clouds;
  for (const auto& spec : set.clouds) {
    ASSIGN_OR_RETURN(auto store, WithContext(open(spec), fmt::format("cloud {}", spec.name)));
    clouds.push_back({spec.name, std::move(store), spec.read_cost});
  }
  placement::PlacementOptions options;
  options.policy = set.policy;
  options.write_quorum = set.write_quorum;
  return placement::PlacementStore::Create(std::move(clouds), options);
}

Result<std::shared_ptr<placement::PlacementStore>> AttachClouds(repo::Repository& repo, const StoreOpener& open) {
  ASSIGN_OR_RETURN(auto set, LoadCloudSet(repo));
  if (!set) return std::shared_ptr<placement::PlacementStore>();
  ASSIGN_OR_RETURN(auto placement, OpenClouds(*set, open));
  repo.ReplaceStore(placement);
  return placement;
}

std::shared_ptr<placement::PlacementStore> PlacementOf(const repo::Repository& repo) {
  return std::dynamic_pointer_cast<placement::PlacementStore>(repo.shared_store());
}

}  // namespace arkiv::engine
