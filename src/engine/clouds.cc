#include "engine/clouds.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/log.h"
#include "engine/cloud_audit.h"
#include "engine/cloud_repair.h"

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
    return Fail(
        Code::kFailedPrecondition,
        fmt::format("{} is a single-store repository (no clouds; see `arkiv init --cloud`)", repo.store().Location()));
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
  // The cloud the repository was opened on may be one that was replaced
  // since: it still holds an old cloud set. Reading the sets of all the
  // clouds it names finds the newest (the other clouds hold it).
  std::shared_ptr<placement::PlacementStore> placement;
  for (int round = 0; round < 4; ++round) {
    ASSIGN_OR_RETURN(placement, OpenClouds(*set, open));
    repo.ReplaceStore(placement);
    ASSIGN_OR_RETURN(auto newest, LoadCloudSet(repo));
    if (!newest || newest->generation <= set->generation) break;
    set = std::move(newest);
  }
  return placement;
}

Status PublishCloudSet(repo::Repository& repo, const placement::CloudSet& set) {
  ASSIGN_OR_RETURN(auto old_ids, repo.ListFiles(repo::FileKind::kClouds));
  ASSIGN_OR_RETURN(Id id, repo.SaveFile(repo::FileKind::kClouds, set.Serialize()));
  for (const Id& old : old_ids) {
    if (old != id) (void)repo.RemoveFile(repo::FileKind::kClouds, old);
  }
  return OkStatus();
}

Result<ReplaceReport> ReplaceCloud(repo::Repository& repo, const placement::CloudSet& current,
                                   std::string_view old_name, const placement::CloudSpec& replacement,
                                   const StoreOpener& open, const std::function<void(std::string_view)>& progress) {
  ReplaceReport report;
  report.set = current;
  auto& clouds = report.set.clouds;
  auto it = std::find_if(clouds.begin(), clouds.end(), [&](const auto& c) { return c.name == old_name; });
  if (it == clouds.end()) return Fail(Code::kInvalidArgument, fmt::format("no cloud named '{}'", old_name));
  *it = replacement;
  if (report.set.pending) {
    for (auto& c : report.set.pending->clouds) {
      if (c.name == old_name) c = replacement;
    }
  }
  report.set.generation = current.generation + 1;
  RETURN_IF_ERROR(report.set.Validate());
  ASSIGN_OR_RETURN(auto placement, OpenClouds(report.set, open));
  size_t index = static_cast<size_t>(it - clouds.begin());
  if (Status st = placement->clouds()[index].store->CreateLocation(); !st) {
    return Fail(st.error().Context(fmt::format("cloud {}", replacement.name)));
  }
  repo.ReplaceStore(placement);
  ASSIGN_OR_RETURN(auto audit, AuditClouds(repo, *placement, {replacement.name, false}, progress));
  if (!audit.unreachable.empty()) {
    return Fail(Code::kUnavailable, fmt::format("cloud {}: {}", replacement.name, audit.unreachable.begin()->second));
  }
  ASSIGN_OR_RETURN(auto repaired, RepairClouds(*placement, audit, false, progress));
  if (!repaired.failed.empty()) {
    return Fail(Code::kUnavailable,
                fmt::format("{} objects could not be copied to cloud {} (the cloud set is unchanged; "
                            "run the command again): {}",
                            repaired.failed.size(), replacement.name, repaired.failed.front()));
  }
  report.rebuilt = repaired.rebuilt;
  report.bytes_written = repaired.bytes_written;
  RETURN_IF_ERROR(PublishCloudSet(repo, report.set));
  return report;
}

std::shared_ptr<placement::PlacementStore> PlacementOf(const repo::Repository& repo) {
  return std::dynamic_pointer_cast<placement::PlacementStore>(repo.shared_store());
}

}  // namespace arkiv::engine
