#include "cli/prune_output.h"

#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/format.h"

namespace arkiv::cli {

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
                     {"bytes_unused_after", r.bytes_unused_after}};
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
}

}  // namespace arkiv::cli
