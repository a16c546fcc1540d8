// arkiv prune: delete data that no snapshot uses.
#include "engine/prune.h"

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/prune_output.h"
#include "engine/clouds.h"
#include "repo/lock.h"

namespace arkiv::cli {

void AddPruneCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  struct Options {
    double max_unused = 5.0;
    bool dry_run = false;
    bool sweep_only = false;
    std::string safety_window = "1h";
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("prune", "Delete data no snapshot uses and repack partly used packs");
  cmd->footer(
      "Two phases (docs/design.md §13): packs no snapshot uses are marked, and deleted by a later prune once\n"
      "the safety window has passed and if still unused. Backups may run meanwhile; other prunes may not.\n"
      "Crash-safe: an interrupted prune leaves a readable repository; run it again to finish.");
  cmd->add_option("--max-unused", opts->max_unused,
                  "Leave at most this much unused data, in percent of the used data (repack partly used packs "
                  "until then; 100 = never repack)")
      ->check(CLI::Range(0.0, 1000.0));
  cmd->add_flag("-n,--dry-run", opts->dry_run, "Report what would be marked; change nothing");
  cmd->add_flag("--sweep-only", opts->sweep_only, "Mark nothing new; only delete what earlier prunes marked and is due");
  cmd->add_option("--safety-window", opts->safety_window, kSafetyWindowHelp);
  cmd->callback([&global, &exit_code, opts] {
    exit_code = RunCommand(global, [&]() -> Result<int> {
      ASSIGN_OR_RETURN(auto repo, OpenRepository(global));
      if (auto placement = engine::PlacementOf(*repo)) RETURN_IF_ERROR(placement->RequireAllClouds("prune"));
      ASSIGN_OR_RETURN(int64_t window, ParseSafetyWindow(opts->safety_window));
      ASSIGN_OR_RETURN(auto lock, repo::RepositoryLock::Acquire(*repo, repo::LockMode::kPrune));
      engine::PruneProgress progress;
      ASSIGN_OR_RETURN(auto report, engine::RunPrune(*repo,
                                                     engine::PruneOptions{.max_unused_percent = opts->max_unused,
                                                                          .dry_run = opts->dry_run,
                                                                          .sweep_only = opts->sweep_only,
                                                                          .safety_window_ns = window},
                                                     progress));
      PrintPruneReport(global, report, opts->dry_run);
      return FinishOnClouds(*repo, global, report.packs_retained > 0 ? kExitWarnings : kExitOk);
    });
  });
}

}  // namespace arkiv::cli
