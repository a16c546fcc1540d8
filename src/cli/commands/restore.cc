// arkiv restore: write a snapshot's files back to disk.
#include "engine/restore.h"

#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/format.h"
#include "cli/progress_line.h"
#include "cli/request_ledger.h"
#include "repo/lock.h"
#include "storage/wrappers/metrics_store.h"

namespace arkiv::cli {

void AddRestoreCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  struct Options {
    std::string snapshot;
    std::string target;
    std::vector<std::string> includes;
    bool verify = false;
    size_t workers = 0;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("restore", "Restore a snapshot into a directory");
  cmd->footer(
      "Every blob is authenticated before it is written; nothing is written outside the target.\n"
      "Paths in --include are as `arkiv ls` shows them (e.g. --include /home/docs).\n"
      "Example:\n  arkiv restore latest --repo /srv/backup --target /tmp/restore --include /etc/ssh");
  cmd->add_option("snapshot", opts->snapshot, "Snapshot id (or unique prefix), or 'latest'")->required();
  cmd->add_option("-t,--target", opts->target, "Directory to restore into (created if missing)")->required();
  cmd->add_option("-i,--include", opts->includes, "Restore only this path and what is below it (repeatable)");
  cmd->add_flag("--verify", opts->verify, "Read the restored files back and check every chunk against its id");
  cmd->add_option("--workers", opts->workers, "Pack ranges read and written at once (default: 2 per core, 4 to 16)");
  cmd->callback([&global, &exit_code, opts] {
    exit_code = RunCommand(global, [&]() -> Result<int> {
      ASSIGN_OR_RETURN(auto repo, OpenRepository(global));
      ASSIGN_OR_RETURN(auto lock, LockForReading(*repo, global));
      RETURN_IF_ERROR(repo->LoadIndex());
      ASSIGN_OR_RETURN(auto record, repo->FindSnapshot(opts->snapshot));
      engine::RestoreOptions options;
      options.target = opts->target;
      options.verify = opts->verify;
      options.workers = opts->workers;
      for (auto inc : opts->includes) {
        while (!inc.empty() && inc.front() == '/') inc.erase(0, 1);
        while (!inc.empty() && inc.back() == '/') inc.pop_back();
        if (!inc.empty()) options.includes.push_back(inc);
      }
      // The restore's own reads of the repository, counted above whatever
      // serves them (one per pack range, however many clouds a multi-cloud
      // repository asks for it); the store goes back for FinishOnClouds.
      auto reads = std::make_shared<storage::StoreMetrics>("repository");
      auto store = repo->shared_store();
      repo->ReplaceStore(std::make_shared<storage::MetricsStore>(store, reads));
      engine::RestoreProgress progress;
      auto mode = global.json || global.quiet ? ProgressLine::Mode::kOff : ProgressLine::Mode::kTerminal;
      Result<engine::RestoreResult> result = [&] {
        ProgressLine line(
            [&](double elapsed) {
              uint64_t done = progress.bytes_done, total = progress.total_bytes;
              return fmt::format("[{}] {}/{} files, {} of {}", HumanDuration(elapsed), progress.files_done.load(),
                                 progress.total_files.load(), HumanBytes(done), HumanBytes(total));
            },
            mode);
        return engine::RunRestore(*repo, record.snapshot.tree, options, progress);
      }();
      repo->ReplaceStore(store);
      if (!result) return Fail(result.error());
      for (const auto& [path, error] : result->errors) {
        if (global.json) {
          nlohmann::json j{{"message_type", "error"}, {"path", "/" + path}, {"error", error.message()}};
          std::cout << JsonText(j) << std::endl;
        } else {
          // The path inside the snapshot: a damaged blob's message names only its pack.
          std::cerr << "error: /" << path << ": " << error.message() << std::endl;
        }
      }
      const storage::OperationMetrics gets = reads->Snapshot()[storage::Operation::kGet];
      if (global.json) {
        nlohmann::json j{{"message_type", "summary"},
                         {"snapshot_id", record.id.Hex()},
                         {"files", result->files},
                         {"dirs", result->dirs},
                         {"bytes", result->bytes},
                         {"errors", result->errors.size()},
                         {"verified_files", result->verified_files},
                         {"reads", gets.requests},
                         {"bytes_read", gets.bytes_down},
                         {"requests", RequestsJson(global.requests->ByStore())}};
        std::cout << JsonText(j) << std::endl;
      } else if (!global.quiet) {
        std::cout << fmt::format("restored snapshot {}: {} files, {} directories, {}{}{}\n", record.id.Short(),
                                 result->files, result->dirs, HumanBytes(result->bytes),
                                 opts->verify ? fmt::format(", {} verified", result->verified_files) : "",
                                 result->errors.empty() ? "" : fmt::format(", {} errors", result->errors.size()));
        std::cout << RequestsLine(global.requests->ByStore()) << "\n";
      }
      return FinishOnClouds(*repo, global, result->errors.empty() ? kExitOk : kExitError);
    });
  });
}

}  // namespace arkiv::cli
