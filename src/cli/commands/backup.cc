// arkiv backup: save files and directories as a new snapshot.
#include "engine/backup.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/format.h"
#include "cli/job_record.h"
#include "cli/progress_line.h"
#include "cli/request_ledger.h"
#include "monitor/notify.h"
#include "repo/lock.h"
#include "repo/system_info.h"

namespace arkiv::cli {
namespace {

struct Options {
  std::vector<std::string> paths;
  std::vector<std::string> tags;
  std::string host;
  std::vector<std::string> excludes;
  std::vector<std::string> exclude_files;
  bool one_file_system = false;
  std::string parent;
  bool force = false;
  size_t workers = 0;
};

class WarningPrinter : public engine::BackupObserver {
 public:
  explicit WarningPrinter(const GlobalOptions& global) : global_(global) {}
  void OnWarning(const std::string& path, const Error& error) override {
    std::lock_guard lock(mutex_);
    if (global_.json) {
      nlohmann::json j{{"message_type", "error"}, {"path", path}, {"error", error.message()}};
      std::cout << JsonText(j) << std::endl;
    } else {
      std::cerr << "\r\033[Kwarning: skipped " << path << ": " << error.message() << std::endl;
    }
  }
  void OnChangedWhileRead(const std::string& path, const std::string& what) override {
    std::lock_guard lock(mutex_);
    if (global_.json) {
      nlohmann::json j{{"message_type", "warning"}, {"path", path}, {"warning", "changed while it was read: " + what}};
      std::cout << JsonText(j) << std::endl;
    } else {
      std::cerr << "\r\033[Kwarning: " << path << " changed while it was read (" << what << "): stored as read"
                << std::endl;
    }
  }

 private:
  const GlobalOptions& global_;
  std::mutex mutex_;
};

// Tells the operator's notify command about a backup that failed or
// finished with warnings (files unreadable, placements missed).
void NotifyBackup(const GlobalOptions& global, const std::string& repo_id, const std::vector<std::string>& paths,
                  const Result<int>& done, double seconds) {
  std::string command = NotifyCommand(global);
  if (command.empty() || (done && *done == kExitOk)) return;
  monitor::Notifier notifier(command, repo_id, repo::HostName(), nullptr);
  nlohmann::json fields{{"paths", paths}, {"seconds", seconds}};
  if (!done) {
    fields["message"] = fmt::format("backup of {} failed: {}", fmt::join(paths, ", "), done.error().message());
    notifier.Send("backup_failed", fields);
  } else {
    fields["message"] = fmt::format("backup of {} finished with warnings (exit {})", fmt::join(paths, ", "), *done);
    notifier.Send("backup_degraded", fields);
  }
}

std::string RenderTerminal(const engine::BackupProgress& p, double elapsed) {
  uint64_t bytes = p.bytes_done, total = p.total_bytes;
  double rate = elapsed > 0 ? static_cast<double>(bytes) / elapsed : 0;
  std::string eta;
  if (p.scan_finished && total > bytes && rate > 0) {
    eta = fmt::format(", {:.0f}%, ETA {}", 100.0 * static_cast<double>(bytes) / static_cast<double>(total),
                      HumanDuration(static_cast<double>(total - bytes) / rate));
  }
  return fmt::format("[{}] {} files, {} ({}/s){}{} {}", HumanDuration(elapsed), p.files_done.load(), HumanBytes(bytes),
                     HumanBytes(static_cast<uint64_t>(rate)), eta,
                     p.errors ? fmt::format(", {} errors", p.errors.load()) : "", p.Current());
}

std::string RenderJson(const engine::BackupProgress& p, double elapsed) {
  nlohmann::json j{
      {"message_type", "status"},          {"seconds_elapsed", elapsed},          {"files_done", p.files_done.load()},
      {"bytes_done", p.bytes_done.load()}, {"total_files", p.total_files.load()}, {"total_bytes", p.total_bytes.load()},
      {"error_count", p.errors.load()}};
  return JsonText(j);
}

void PrintSummary(const GlobalOptions& global, const engine::BackupResult& result) {
  const auto& s = result.snapshot.summary;
  if (global.json) {
    nlohmann::json j{{"message_type", "summary"},
                     {"snapshot_id", result.snapshot_id.Hex()},
                     {"files_new", s.files_new},
                     {"files_changed", s.files_changed},
                     {"files_unchanged", s.files_unchanged},
                     {"files_failed", s.files_failed},
                     {"dirs", s.dirs},
                     {"bytes_processed", s.bytes_processed},
                     {"bytes_total", s.bytes_total},
                     {"blobs_added", s.blobs_added},
                     {"bytes_added", s.bytes_added},
                     {"bytes_stored", s.bytes_stored},
                     {"duration_seconds", s.duration_seconds},
                     {"requests", RequestsJson(global.requests->ByStore())}};
    std::cout << JsonText(j) << std::endl;
    return;
  }
  if (global.quiet) return;
  std::cout << fmt::format(
      "Files: {} new, {} changed, {} unchanged{}\n"
      "Data:  {} read, {} in the snapshot, {} new ({} stored after compression)\n"
      "snapshot {} saved in {}\n",
      s.files_new, s.files_changed, s.files_unchanged,
      s.files_failed ? fmt::format(", {} skipped", s.files_failed) : "", HumanBytes(s.bytes_processed),
      HumanBytes(s.bytes_total), HumanBytes(s.bytes_added), HumanBytes(s.bytes_stored), result.snapshot_id.Short(),
      HumanDuration(s.duration_seconds));
  std::cout << RequestsLine(global.requests->ByStore()) << "\n";
}

}  // namespace

void AddBackupCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("backup", "Back up files and directories as a new snapshot");
  cmd->footer(
      "Each PATH is stored under its last name at the top of the snapshot (/home/ann -> ann).\n"
      "Files unchanged since the last snapshot of the same host and paths (same size, inode, mtime, ctime)\n"
      "are not read again. Unreadable files are reported and skipped; the snapshot is still saved and the\n"
      "exit code is 3.\n"
      "Example:\n  arkiv backup --repo /srv/backup --tag nightly --exclude '*.tmp' /home /etc");
  cmd->add_option("paths", opts->paths, "Files or directories to back up")->required();
  cmd->add_option("--tag", opts->tags, "Tag the snapshot (repeatable)");
  cmd->add_option("--host", opts->host, "Record this host name instead of the machine's");
  cmd->add_option("-e,--exclude", opts->excludes,
                  "Skip paths matching GLOB: a name pattern (*.o) or, with '/', an absolute path pattern (repeatable)");
  cmd->add_option("--exclude-file", opts->exclude_files, "Read exclude patterns from a file, one per line");
  cmd->add_flag("-x,--one-file-system", opts->one_file_system, "Do not cross into other file systems");
  cmd->add_option("--parent", opts->parent, "Compare against this snapshot instead of the latest matching one");
  cmd->add_flag("--force", opts->force, "Read every file, even unchanged ones");
  cmd->add_option("--workers", opts->workers, "Files read in parallel (default: one per core)");
  cmd->callback([&global, &exit_code, opts] {
    exit_code = RunCommand(global, [&]() -> Result<int> {
      std::string repo_id;
      int64_t start_ns = repo::NowUnixNanos();
      Result<int> done = [&]() -> Result<int> {
        engine::BackupOptions options;
        options.paths = opts->paths;
        options.tags = opts->tags;
        options.host = opts->host;
        for (const auto& e : opts->excludes) options.excludes.Add(e);
        for (const auto& f : opts->exclude_files) RETURN_IF_ERROR(options.excludes.AddFromFile(f));
        options.one_file_system = opts->one_file_system;
        options.force_reread = opts->force;
        options.workers = opts->workers;
        // Tests shorten the lease to race prune within seconds (design.md §13).
        if (const char* lease = std::getenv("ARKIV_BACKUP_PRUNE_LEASE_SECONDS"); lease != nullptr && *lease != '\0') {
          options.prune_lease_ns = static_cast<int64_t>(std::strtod(lease, nullptr) * 1e9);
        }
        // Tests page directories of a few entries (design.md "Trees").
        if (const char* page = std::getenv("ARKIV_TREE_PAGE_NODES"); page != nullptr && *page != '\0') {
          options.tree_limits.page_nodes = std::max<size_t>(1, std::strtoull(page, nullptr, 10));
        }
        if (!opts->parent.empty()) {
          auto id = Id::Parse(opts->parent);
          if (!id) return Fail(Code::kInvalidArgument, "--parent takes a full 64-digit snapshot id");
          options.parent = *id;
        }
        ASSIGN_OR_RETURN(auto repo, OpenRepository(global));
        repo_id = repo->config().id.Hex();
        ASSIGN_OR_RETURN(auto lock, repo::RepositoryLock::Acquire(*repo, false));
        // RunBackup loads the index itself, leaving out packs prune marked.

        engine::BackupProgress progress;
        auto mode = global.json ? ProgressLine::Mode::kJsonLines
                                : (global.quiet ? ProgressLine::Mode::kOff : ProgressLine::Mode::kTerminal);
        options.scan_totals = mode != ProgressLine::Mode::kOff;
        WarningPrinter printer(global);
        Result<engine::BackupResult> result = [&] {
          ProgressLine line(
              [&](double elapsed) {
                return global.json ? RenderJson(progress, elapsed) : RenderTerminal(progress, elapsed);
              },
              mode);
          return engine::RunBackup(*repo, options, progress, &printer);
        }();
        if (!result) return Fail(result.error());
        PrintSummary(global, *result);
        if (!global.json && !result->warnings.empty()) {
          std::cerr << fmt::format("warning: {} files or directories could not be read and are not in the snapshot\n",
                                   result->warnings.size());
        }
        if (!global.json && !result->changed_while_read.empty()) {
          std::cerr << fmt::format(
              "warning: {} files changed while they were read: stored as read, the next backup reads them again\n",
              result->changed_while_read.size());
        }
        if (!result->warnings.empty() || !result->changed_while_read.empty()) {
          return FinishOnClouds(*repo, global, kExitWarnings);
        }
        return FinishOnClouds(*repo, global, kExitOk);
      }();
      NotifyBackup(global, repo_id, opts->paths, done, static_cast<double>(repo::NowUnixNanos() - start_ns) / 1e9);
      return done;
    });
  });
}

}  // namespace arkiv::cli
