#include "cli/prune_output.h"

#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/format.h"
#include "cli/request_ledger.h"
#include "core/log.h"
#include "planning/duration.h"

namespace arkiv::cli {

Result<int64_t> ParseSafetyWindow(const std::string& text) {
  auto seconds = planning::ParseDuration(text);
  if (!seconds) return Fail(seconds.error().Context("--safety-window"));
  return static_cast<int64_t>(*seconds * 1e9);
}

void PrintPruneReport(const GlobalOptions& global, const engine::PruneReport& r, bool dry_run) {
  if (global.json) {
    nlohmann::json j{{"message_type", "prune"},
                     {"dry_run", dry_run},
                     {"packs_before", r.packs_before},
                     {"packs_deleted", r.packs_deleted},
                     {"packs_repacked", r.packs_repacked},
                     {"packs_unindexed_deleted", r.packs_unindexed_deleted},
                     {"packs_written", r.packs_written},
                     {"blobs_used", r.blobs_used},
                     {"blobs_unused", r.blobs_unused},
                     {"blobs_repacked", r.blobs_repacked},
                     {"bytes_before", r.bytes_before},
                     {"bytes_after", r.bytes_after},
                     {"bytes_unused_after", r.bytes_unused_after},
                     {"markers_written", r.markers_written},
                     {"markers_pending", r.markers_pending},
                     {"markers_swept", r.markers_swept},
                     {"packs_swept", r.packs_swept},
                     {"packs_kept", r.packs_kept},
                     {"packs_retained", r.packs_retained},
                     {"retention_checked", r.retention_checked},
                     {"index_files_written", r.index_files_written},
                     {"index_files_removed", r.index_files_removed},
                     {"requests", RequestsJson(global.requests->ByStore())}};
    std::cout << JsonText(j) << std::endl;
    return;
  }
  if (global.quiet) return;
  std::cout << fmt::format(
      "{}{} packs: {} deleted (unused), {} repacked, {} unindexed deleted; {} blobs used, {} unused\n"
      "repository size {} -> {} ({} unused left)\n",
      dry_run ? "dry run: " : "", r.packs_before, r.packs_deleted, r.packs_repacked, r.packs_unindexed_deleted,
      r.blobs_used, r.blobs_unused, HumanBytes(r.bytes_before), HumanBytes(r.bytes_after),
      HumanBytes(r.bytes_unused_after));
  if (dry_run) return;
  std::cout << fmt::format("{} packs marked for deletion ({} marker written); swept {} markers: {} packs deleted, {} "
                           "kept (used again); {} markers wait for their safety window\n",
                           r.markers_written ? r.packs_deleted + r.packs_repacked + r.packs_unindexed_deleted : 0,
                           r.markers_written, r.markers_swept, r.packs_swept, r.packs_kept, r.markers_pending);
  std::cout << RequestsLine(global.requests->ByStore()) << "\n";
  if (r.retention_checked > 0) {
    std::cout << fmt::format("retention of {} objects in use checked (extended where less than half was left)\n",
                             r.retention_checked);
  }
  if (!r.retention_error.empty()) {
    LogLine(LogLevel::kWarning, "retention not refreshed: " + r.retention_error);
  }
  if (r.packs_retained > 0) {
    LogLine(LogLevel::kWarning, fmt::format("{} packs kept for now, retained by the store (e.g. {}); a prune after "
                                            "that date deletes them",
                                            r.packs_retained, r.retained_example));
  }
}

}  // namespace arkiv::cli
