// arkiv forget: remove snapshots by a retention policy (and prune).
#include <fmt/format.h>

#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/format.h"
#include "cli/prune_output.h"
#include "cli/snapshot_json.h"
#include "core/log.h"
#include "engine/clouds.h"
#include "engine/forget_policy.h"
#include "engine/prune.h"
#include "repo/lock.h"

namespace arkiv::cli {

void AddForgetCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  struct Options {
    engine::RetentionPolicy policy;
    std::string within;
    std::string host;
    std::vector<std::string> tags;
    std::vector<std::string> ids;
    bool dry_run = false;
    bool prune = false;
    double max_unused = 5.0;
    std::string safety_window = "1h";
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("forget", "Remove snapshots by id or by a retention policy");
  cmd->footer(
      "Snapshots are grouped by host and paths; the policy applies within each group.\n"
      "Example:\n  arkiv forget --keep-daily 7 --keep-weekly 5 --keep-monthly 12 --prune");
  cmd->add_option("ids", opts->ids, "Snapshot ids to remove (instead of a policy)");
  cmd->add_option("--keep-last", opts->policy.last, "Keep the N newest snapshots");
  cmd->add_option("--keep-hourly", opts->policy.hourly, "Keep the newest snapshot of each of the last N hours");
  cmd->add_option("--keep-daily", opts->policy.daily, "... of each of the last N days");
  cmd->add_option("--keep-weekly", opts->policy.weekly, "... of each of the last N weeks");
  cmd->add_option("--keep-monthly", opts->policy.monthly, "... of each of the last N months");
  cmd->add_option("--keep-yearly", opts->policy.yearly, "... of each of the last N years");
  cmd->add_option("--keep-within", opts->within, "Keep snapshots younger than DURATION (e.g. 2w3d, 36h, 1y)");
  cmd->add_option("--keep-tag", opts->policy.tags, "Keep snapshots with this tag (repeatable)");
  cmd->add_option("--host", opts->host, "Only consider snapshots of this host");
  cmd->add_option("--tag", opts->tags, "Only consider snapshots with this tag");
  cmd->add_flag("-n,--dry-run", opts->dry_run, "Show what would be removed; change nothing");
  cmd->add_flag("--prune", opts->prune, "Run prune afterwards");
  cmd->add_option("--max-unused", opts->max_unused, "With --prune: see `arkiv prune --help`");
  cmd->add_option("--safety-window", opts->safety_window, std::string("With --prune: ") + kSafetyWindowHelp);
  cmd->callback([&global, &exit_code, opts] {
    exit_code = RunCommand(global, [&]() -> Result<int> {
      if (!opts->within.empty()) {
        auto d = engine::ParseDuration(opts->within);
        if (!d)
          return Fail(Code::kInvalidArgument,
                      fmt::format("--keep-within {:?}: use e.g. 1y6m, 2w, 3d12h", opts->within));
        opts->policy.within_ns = *d;
      }
      if (opts->ids.empty() && opts->policy.Empty()) {
        return Fail(Code::kInvalidArgument, "no policy given: name snapshots or use --keep-* (nothing removed)");
      }
      ASSIGN_OR_RETURN(auto repo, OpenRepository(global));
      if (auto placement = engine::PlacementOf(*repo); placement && opts->prune) {
        RETURN_IF_ERROR(placement->RequireAllClouds("forget --prune"));
      }
      ASSIGN_OR_RETURN(int64_t window, ParseSafetyWindow(opts->safety_window));
      ASSIGN_OR_RETURN(auto lock, repo::RepositoryLock::Acquire(*repo, repo::LockMode::kPrune));
      std::vector<repo::SnapshotRecord> remove, keep;
      std::map<Id, std::vector<std::string>> reasons;
      if (!opts->ids.empty()) {
        for (const auto& id : opts->ids) {
          ASSIGN_OR_RETURN(auto record, repo->FindSnapshot(id));
          remove.push_back(std::move(record));
        }
      } else {
        ASSIGN_OR_RETURN(auto all, repo->LoadSnapshots());
        std::map<std::pair<std::string, std::vector<std::string>>, std::vector<repo::SnapshotRecord>> groups;
        for (auto& r : all) {
          if (!opts->host.empty() && r.snapshot.host != opts->host) continue;
          if (!opts->tags.empty() && std::none_of(opts->tags.begin(), opts->tags.end(),
                                                  [&](const std::string& t) { return r.snapshot.HasTag(t); })) {
            continue;
          }
          groups[{r.snapshot.host, r.snapshot.paths}].push_back(std::move(r));
        }
        for (auto& [key, group] : groups) {
          auto plan = engine::PlanRetention(std::move(group), opts->policy);
          keep.insert(keep.end(), plan.keep.begin(), plan.keep.end());
          remove.insert(remove.end(), plan.remove.begin(), plan.remove.end());
          reasons.insert(plan.reasons.begin(), plan.reasons.end());
        }
      }
      if (global.json) {
        nlohmann::json k = nlohmann::json::array(), r = nlohmann::json::array();
        for (const auto& s : keep) {
          auto j = SnapshotJson(s);
          j["reasons"] = reasons[s.id];
          k.push_back(std::move(j));
        }
        for (const auto& s : remove) r.push_back(SnapshotJson(s));
        std::cout << JsonText(nlohmann::json{
                         {"message_type", "forget"}, {"dry_run", opts->dry_run}, {"keep", k}, {"remove", r}})
                  << std::endl;
      } else if (!global.quiet) {
        for (const auto& s : keep) {
          std::string why;
          for (const auto& w : reasons[s.id]) why += (why.empty() ? "" : ", ") + w;
          std::cout << fmt::format("keep   {} {} {} ({})\n", s.id.Short(), LocalTime(s.snapshot.time_ns),
                                   s.snapshot.host, why);
        }
        for (const auto& s : remove) {
          std::cout << fmt::format("{} {} {} {}\n", opts->dry_run ? "would remove" : "remove", s.id.Short(),
                                   LocalTime(s.snapshot.time_ns), s.snapshot.host);
        }
      }
      if (opts->dry_run) return FinishOnClouds(*repo, global, kExitOk);
      // A snapshot under a retention lock (S3 Object Lock) stays until its
      // date: named, and the run ends with warnings; the others go.
      int result = kExitOk;
      for (const auto& s : remove) {
        auto removed = repo->RemoveFile(repo::FileKind::kSnapshot, s.id);
        if (!removed && removed.error().code() == Code::kRetained) {
          LogLine(LogLevel::kWarning, fmt::format("snapshot {} kept: {}", s.id.Short(), removed.error().message()));
          result = kExitWarnings;
          continue;
        }
        RETURN_IF_ERROR(removed);
      }
      if (!opts->prune) return FinishOnClouds(*repo, global, result);
      engine::PruneProgress progress;
      ASSIGN_OR_RETURN(auto report, engine::RunPrune(
                                        *repo,
                                        engine::PruneOptions{.max_unused_percent = opts->max_unused,
                                                             .safety_window_ns = window},
                                        progress));
      PrintPruneReport(global, report, false);
      return FinishOnClouds(*repo, global, report.packs_retained > 0 ? kExitWarnings : result);
    });
  });
}

}  // namespace arkiv::cli
