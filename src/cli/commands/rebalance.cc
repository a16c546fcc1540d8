// arkiv rebalance: move a multi-cloud repository onto its pending cloud set
// and/or a new policy without ever holding less redundancy (engine/rebalance.h).
#include "engine/rebalance.h"

#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/format.h"
#include "cli/progress_line.h"
#include "engine/clouds.h"
#include "placement/cloud_set.h"
#include "repo/lock.h"

namespace arkiv::cli {

void AddRebalanceCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  struct Options {
    std::string policy;
    int write_quorum = -1;
    bool dry_run = false;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("rebalance",
                                     "Move the data to a new policy or to the clouds staged by `cloud add` "
                                     "/ `cloud remove`");
  cmd->footer(
      "Examples:\n"
      "  arkiv rebalance --policy ec:2+1                  replicate over 3 clouds → erasure coding\n"
      "  arkiv cloud add d=URL; arkiv cloud add e=URL; arkiv rebalance --policy ec:3+2\n"
      "  arkiv cloud remove azure; arkiv rebalance        replicate over one cloud fewer\n"
      "Redundancy is never lowered on the way: everything the new layout needs is written first (read and\n"
      "verified through the current one), then the new cloud set is published, and only then are the old\n"
      "copies and shards removed from the clouds that stay. Every cloud of the new set must answer.\n"
      "Safe to interrupt and run again; with nothing pending it completes an interrupted run (fills what is\n"
      "missing, removes old-layout leftovers). Needs an exclusive lock. Exit 0 done, 1 failed (the cloud set\n"
      "is then unchanged).");
  cmd->add_option("--policy", opts->policy, "The new policy: replicate or ec:K+M (K+M = number of clouds)");
  cmd->add_option("--write-quorum", opts->write_quorum, "Clouds a write must reach (default: all but one)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("-n,--dry-run", opts->dry_run, "Show what would be written and removed; change nothing");
  cmd->callback([&global, &exit_code, opts] {
    exit_code = RunCommand(global, [&]() -> Result<int> {
      engine::RebalanceOptions options;
      if (!opts->policy.empty()) {
        ASSIGN_OR_RETURN(options.policy, placement::ParsePolicy(opts->policy));
      }
      if (opts->write_quorum >= 0) options.write_quorum = opts->write_quorum;
      options.dry_run = opts->dry_run;
      ASSIGN_OR_RETURN(auto repo, OpenRepository(global));
      ASSIGN_OR_RETURN(placement::CloudSet set, engine::RequireCloudSet(*repo));
      ASSIGN_OR_RETURN(auto lock, repo::RepositoryLock::Acquire(*repo, true));
      RETURN_IF_ERROR(repo->LoadIndex());
      StatusText status;
      auto mode = global.json || global.quiet ? ProgressLine::Mode::kOff : ProgressLine::Mode::kTerminal;
      Result<engine::RebalanceReport> report = [&] {
        ProgressLine line([&](double) { return status.Get(); }, mode);
        return engine::Rebalance(*repo, set, options, CloudStoreOpener(global), status.Setter());
      }();
      if (!report) return Fail(report.error());
      const auto& next = report->set;
      std::string names = placement::CloudNames(next.clouds);
      if (global.json) {
        nlohmann::json j{{"message_type", "rebalance"},
                         {"dry_run", opts->dry_run},
                         {"published", report->published},
                         {"generation", next.generation},
                         {"policy", next.policy.ToString()},
                         {"clouds", names},
                         {"written", report->written},
                         {"bytes_written", report->bytes_written},
                         {"removed", report->removed},
                         {"added", report->added},
                         {"left", report->left}};
        std::cout << JsonText(j) << std::endl;
      } else if (!global.quiet) {
        const char* would = opts->dry_run ? "would " : "";
        std::cout << fmt::format(
            "{}: {} over {}{}\n", opts->dry_run ? "plan" : "rebalanced", next.policy.ToString(), names,
            report->published ? fmt::format(" (cloud set generation {})", next.generation) : " (unchanged set)");
        std::cout << fmt::format("{}wrote {} objects ({}); {}removed {} old-layout copies and shards\n", would,
                                 report->written, HumanBytes(report->bytes_written), would, report->removed);
        for (const auto& name : report->left) {
          std::cout << fmt::format("cloud {} {} the set; its objects are left in place (delete its bucket yourself)\n",
                                   name, opts->dry_run ? "would leave" : "left");
        }
        if (!next.policy.erasure() && next.clouds.size() == 1) {
          std::cerr << "warning: replicate over one cloud keeps a single copy: losing it loses the repository\n";
        }
      }
      return FinishOnClouds(*repo, global, kExitOk);
    });
  });
}

}  // namespace arkiv::cli
