// arkiv repair: rebuild what clouds of a multi-cloud repository are missing
// or hold damaged, from the other clouds, and clear the repair records.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/cloud_findings.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/format.h"
#include "cli/job_record.h"
#include "cli/progress_line.h"
#include "engine/cloud_audit.h"
#include "engine/cloud_repair.h"
#include "engine/clouds.h"
#include "repo/system_info.h"

namespace arkiv::cli {

void AddRepairCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  struct Options {
    std::string cloud;
    bool dry_run = false;
    bool read_data = false;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("repair",
                                     "Rebuild missing or damaged copies and shards on a cloud from the "
                                     "others");
  cmd->footer(
      "Lists every cloud, works out what each should hold (every indexed pack as its copy or shard, metadata on\n"
      "every cloud) and rebuilds what is missing: copies from a verified copy elsewhere, shards by decoding the\n"
      "pack from the other shards. With --read-data it also reads every object and rebuilds damaged ones.\n"
      "Safe to interrupt and run again. Exit 0 when all is repaired, 1 when something could not be.\n"
      "Example, after a cloud was replaced by an empty bucket:  arkiv repair --cloud aws");
  cmd->add_option("--cloud", opts->cloud, "Repair this cloud only");
  cmd->add_flag("--read-data", opts->read_data, "Also read and verify every object, rebuilding damaged ones");
  cmd->add_flag("-n,--dry-run", opts->dry_run, "Report what would be rebuilt; write nothing");
  cmd->callback([&global, &exit_code, opts] {
    exit_code = RunCommand(global, [&]() -> Result<int> {
      ASSIGN_OR_RETURN(auto repo, OpenRepository(global));
      auto placement = engine::PlacementOf(*repo);
      if (!placement) {
        return Fail(Code::kFailedPrecondition,
                    fmt::format("{} is a single-store repository: nothing to repair from", repo->store().Location()));
      }
      ASSIGN_OR_RETURN(auto lock, LockForReading(*repo, global));
      int64_t start_ns = repo::NowUnixNanos();
      RETURN_IF_ERROR(repo->LoadIndex());
      auto mode = global.json || global.quiet ? ProgressLine::Mode::kOff : ProgressLine::Mode::kTerminal;
      StatusText status;
      Result<engine::CloudAuditReport> audit = [&] {
        ProgressLine line([&](double) { return status.Get(); }, mode);
        return engine::AuditClouds(*repo, *placement, {opts->cloud, opts->read_data}, status.Setter());
      }();
      if (!audit) return Fail(audit.error());
      Result<engine::CloudRepairReport> repaired = [&] {
        ProgressLine line([&](double) { return status.Get(); }, mode);
        return engine::RepairClouds(*placement, *audit, opts->dry_run, status.Setter());
      }();
      if (!repaired) return Fail(repaired.error());
      const auto& clouds = placement->clouds();
      bool incomplete = !repaired->failed.empty() || !audit->unreachable.empty();
      if (!opts->dry_run) {
        nlohmann::json detail{{"rebuilt", repaired->rebuilt},
                              {"leftovers_removed", repaired->removed},
                              {"failed", repaired->failed.size()},
                              {"records_removed", repaired->records_removed}};
        RecordJob(*repo, global,
                  {start_ns, "repair", opts->cloud, !incomplete,
                   static_cast<double>(repo::NowUnixNanos() - start_ns) / 1e9, repaired->bytes_written, detail.dump()},
                  true);
      }
      if (global.json) {
        nlohmann::json j{{"message_type", "repair"},
                         {"dry_run", opts->dry_run},
                         {"rebuilt", repaired->rebuilt},
                         {"bytes_written", repaired->bytes_written},
                         {"leftovers_removed", repaired->removed},
                         {"leftovers_retained", repaired->retained},
                         {"records_removed", repaired->records_removed},
                         {"failed", repaired->failed},
                         {"unexpected", audit->Count(engine::CloudFinding::Kind::kUnexpected)},
                         {"clouds", CloudAuditJson(*audit, clouds)}};
        std::cout << JsonText(j) << std::endl;
      } else {
        for (const auto& [i, why] : audit->unreachable) {
          std::cerr << fmt::format("error: cloud {} is unreachable, not repaired: {}\n", clouds[i].name, why);
        }
        for (const auto& f : repaired->failed) std::cerr << "error: " << f << "\n";
        if (!global.quiet) {
          std::cout << fmt::format("{} {} objects ({}) on {} clouds{}\n", opts->dry_run ? "would rebuild" : "rebuilt",
                                   repaired->rebuilt, HumanBytes(repaired->bytes_written), audit->audited.size(),
                                   repaired->records_removed > 0
                                       ? fmt::format("; {} repair records cleared", repaired->records_removed)
                                       : "");
          if (repaired->removed > 0) {
            std::cout << fmt::format("{} {} leftovers of removes a cloud missed\n",
                                     opts->dry_run ? "would remove" : "removed", repaired->removed);
          }
          if (repaired->retained > 0) {
            std::cout << fmt::format("{} leftovers of removes are kept by a retention lock for now; a later repair "
                                     "removes them\n",
                                     repaired->retained);
          }
          size_t unexpected = audit->Count(engine::CloudFinding::Kind::kUnexpected);
          size_t superseded = std::count_if(audit->findings.begin(), audit->findings.end(),
                                            [](const engine::CloudFinding& f) { return f.superseded; });
          if (unexpected > superseded) {
            std::cout << fmt::format("{} unexpected objects left in place (`arkiv prune` removes unindexed packs)\n",
                                     unexpected - superseded);
          }
          if (superseded > 0) {
            std::cout << fmt::format(
                "{} copies or shards in an old layout left in place (`arkiv rebalance` removes "
                "them)\n",
                superseded);
          }
        }
      }
      return FinishOnClouds(*repo, global, incomplete ? kExitError : kExitOk);
    });
  });
}

}  // namespace arkiv::cli
