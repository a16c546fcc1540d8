#include "engine/rebalance.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "engine/cloud_audit.h"
#include "engine/cloud_repair.h"

namespace arkiv::engine {
namespace {

using placement::CloudSet;
using placement::CloudSpec;
using placement::PendingClouds;

bool Contains(const std::vector<CloudSpec>& clouds, const CloudSpec& cloud) {
  return std::any_of(clouds.begin(), clouds.end(),
                     [&](const CloudSpec& c) { return c.name == cloud.name && c.url == cloud.url; });
}

// Step 3: removes the superseded copies and shards an audit of the
// published layout found.
Result<uint64_t> RemoveSuperseded(const placement::PlacementStore& clouds, const CloudAuditReport& audit, bool dry_run,
                                  const std::function<void(std::string_view)>& progress) {
  uint64_t removed = 0;
  for (const auto& f : audit.findings) {
    if (f.kind != CloudFinding::Kind::kUnexpected || !f.superseded) continue;
    const auto& cloud = clouds.clouds()[f.cloud];
    if (progress) progress(fmt::format("removing {} from {} (old layout)", f.object, cloud.name));
    if (!dry_run) {
      if (Status st = cloud.store->Remove(f.object); !st && st.error().code() != Code::kNotFound) {
        return Fail(st.error().Context(fmt::format("cloud {}: remove {}", cloud.name, f.object)));
      }
    }
    removed++;
  }
  return removed;
}

}  // namespace

Result<RebalanceReport> Rebalance(repo::Repository& repo, const CloudSet& current, const RebalanceOptions& options,
                                  const StoreOpener& open, const std::function<void(std::string_view)>& progress) {
  auto source = PlacementOf(repo);
  if (!source) return Fail(Code::kFailedPrecondition, "rebalance: the repository is not on its clouds");
  PendingClouds target = current.Target();
  if (options.policy) target.policy = *options.policy;
  if (options.write_quorum) target.write_quorum = *options.write_quorum;

  RebalanceReport report;
  report.published = target != PendingClouds{current.policy, current.write_quorum, current.clouds};
  report.set = report.published ? current.Advanced(target) : current;
  report.set.pending.reset();
  if (Status st = report.set.Validate(); !st) return Fail(st.error().Context("the new cloud set"));
  for (const auto& c : report.set.clouds) {
    if (!Contains(current.clouds, c)) report.added.push_back(c.name);
  }
  for (const auto& c : current.clouds) {
    if (!Contains(report.set.clouds, c)) report.left.push_back(c.name);
  }

  std::shared_ptr<placement::PlacementStore> dest = source;
  CloudAuditOptions audit_options;
  CloudAuditReport current_audit;
  if (report.published) {
    ASSIGN_OR_RETURN(dest, OpenClouds(report.set, open));
    // What every cloud must hold besides data packs is what the current
    // clouds hold by their quorum rule: the new ones hold nothing yet.
    ASSIGN_OR_RETURN(current_audit, AuditClouds(repo, *source, {}, progress));
    audit_options.replicated = &current_audit.replicated;
    if (!options.dry_run) {
      for (const auto& cloud : dest->clouds()) {
        if (std::find(report.added.begin(), report.added.end(), cloud.name) == report.added.end()) continue;
        if (Status st = cloud.store->CreateLocation(); !st) {
          return Fail(st.error().Context(fmt::format("cloud {}: create its bucket/container", cloud.name)));
        }
      }
    }
  }

  // Step 1: fill the new layout from the current one.
  ASSIGN_OR_RETURN(auto audit, AuditClouds(repo, *dest, audit_options, progress));
  if (!audit.unreachable.empty()) {
    std::vector<std::string> down;
    for (const auto& [i, why] : audit.unreachable) down.push_back(dest->clouds()[i].name);
    return Fail(Code::kUnavailable,
                fmt::format("rebalance needs every cloud of the new set; not answering: {} ({}); the cloud set is "
                            "unchanged",
                            fmt::join(down, ", "), audit.unreachable.begin()->second));
  }
  ASSIGN_OR_RETURN(auto filled, RepairClouds(*dest, audit, options.dry_run, progress, source.get()));
  report.written = filled.rebuilt;
  report.bytes_written = filled.bytes_written;
  if (!filled.failed.empty()) {
    return Fail(Code::kUnavailable,
                fmt::format("{} objects could not be written ({}); the cloud set is unchanged, run rebalance again",
                            filled.failed.size(), filled.failed.front()));
  }
  if (options.dry_run) {
    // What step 3 would remove: what the filled layout would not use.
    ASSIGN_OR_RETURN(report.removed, RemoveSuperseded(*dest, audit, true, progress));
    return report;
  }

  // Step 2: publish. From here on the repository is on the new set.
  if (report.published) {
    repo.ReplaceStore(dest);
    RETURN_IF_ERROR(PublishCloudSet(repo, report.set));
  }

  // Step 3: the old layout goes, now that nothing reads it.
  ASSIGN_OR_RETURN(auto after, AuditClouds(repo, *dest, {}, progress));
  if (after.Count(CloudFinding::Kind::kMissing) + after.Count(CloudFinding::Kind::kCorrupt) > 0) {
    // Something vanished meanwhile: keep every older copy and let the
    // operator look (check --cloud names it).
    return Fail(Code::kDataLoss,
                fmt::format("after publishing cloud set generation {}, {} objects are missing or damaged on its "
                            "clouds; the old layout is kept; run `arkiv check --cloud`",
                            report.set.generation,
                            after.Count(CloudFinding::Kind::kMissing) + after.Count(CloudFinding::Kind::kCorrupt)));
  }
  ASSIGN_OR_RETURN(report.removed, RemoveSuperseded(*dest, after, false, progress));
  // Our lock went to the clouds that left as well; with it held exclusively
  // no other lock there is live, and nobody looks there any more.
  for (size_t i = 0; i < source->clouds().size(); ++i) {
    const auto& cloud = source->clouds()[i];
    bool left = std::find(report.left.begin(), report.left.end(), cloud.name) != report.left.end();
    if (!left || current_audit.unreachable.contains(i)) continue;
    std::vector<std::string> locks;
    (void)cloud.store->List("locks/", [&](const storage::ObjectInfo& info) {
      locks.push_back(info.name);
      return OkStatus();
    });
    for (const auto& name : locks) (void)cloud.store->Remove(name);
  }
  return report;
}

}  // namespace arkiv::engine
