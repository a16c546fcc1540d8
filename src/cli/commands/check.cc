// arkiv check: verify the repository's structure and, optionally, every byte.
#include "engine/check.h"

#include <fmt/format.h>

#include <iostream>
#include <set>
#include <nlohmann/json.hpp>

#include "cli/cloud_findings.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/format.h"
#include "cli/job_record.h"
#include "cli/progress_line.h"
#include "cli/request_ledger.h"
#include "engine/cloud_audit.h"
#include "engine/clouds.h"
#include "repo/lock.h"
#include "repo/system_info.h"

namespace arkiv::cli {

void AddCheckCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  struct Options {
    bool read_data = false;
    std::string subset;
    std::string cloud;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("check", "Verify the repository; exit 1 if anything is missing or damaged");
  cmd->footer(
      "Without --read-data: indexes, pack presence and sizes, snapshots and every tree they reach.\n"
      "With --read-data: also downloads every pack and authenticates every blob.\n"
      "With --read-data-subset: the same for part of the packs, to spread the reading over days:\n"
      "  n/m      slice n of m; running 1/m ... m/m reads every pack once (e.g. 1/7 on Mondays)\n"
      "  x%       a random x% of the packs\n"
      "  SIZE     random packs up to SIZE in all (500MiB, 2G)\n"
      "Each problem names the pack, the blob and the snapshot paths it affects.");
  cmd->add_flag("--read-data", opts->read_data, "Read and verify all data");
  cmd->add_option("--read-data-subset", opts->subset, "Read and verify part of the data: n/m, x% or SIZE (see below)")
      ->excludes("--read-data");
  cmd->add_option("--cloud", opts->cloud,
                  "Multi-cloud repositories: audit this cloud only (default: every cloud is audited for missing, "
                  "corrupt and unexpected objects; with --read-data every object on it is read)");
  cmd->callback([&global, &exit_code, opts] {
    exit_code = RunCommand(global, [&]() -> Result<int> {
      engine::CheckOptions check_options;
      check_options.read_data = opts->read_data;
      if (!opts->subset.empty()) {
        ASSIGN_OR_RETURN(check_options.subset, engine::ReadDataSubset::Parse(opts->subset));
        check_options.read_data = true;
      }
      const bool read_data = check_options.read_data;
      ASSIGN_OR_RETURN(auto repo, OpenRepository(global));
      ASSIGN_OR_RETURN(auto lock, LockForReading(*repo, global));
      int64_t start_ns = repo::NowUnixNanos();
      engine::CheckProgress progress;
      auto mode = global.json || global.quiet ? ProgressLine::Mode::kOff : ProgressLine::Mode::kTerminal;
      Result<engine::CheckReport> report = [&] {
        ProgressLine line(
            [&](double elapsed) {
              return fmt::format("[{}] {}/{} packs read, {}", HumanDuration(elapsed), progress.packs_done.load(),
                                 progress.packs_total.load(), HumanBytes(progress.bytes_read));
            },
            mode);
        return engine::RunCheck(*repo, check_options, progress);
      }();
      if (!report) return Fail(report.error());
      bool errors = report->HasErrors();
      auto placement = engine::PlacementOf(*repo);
      if (!placement && !opts->cloud.empty()) {
        return Fail(Code::kInvalidArgument, "--cloud: this is a single-store repository");
      }
      std::optional<engine::CloudAuditReport> audit;
      if (placement) {
        std::set<std::string> read_packs(report->packs_selected.begin(), report->packs_selected.end());
        engine::CloudAuditOptions audit_options;
        audit_options.cloud = opts->cloud;
        audit_options.read_data = read_data;
        if (check_options.subset.kind() != engine::ReadDataSubset::Kind::kAll) audit_options.read_packs = &read_packs;
        ASSIGN_OR_RETURN(audit, engine::AuditClouds(*repo, *placement, audit_options));
        errors = errors || audit->Count(engine::CloudFinding::Kind::kMissing) > 0 ||
                 audit->Count(engine::CloudFinding::Kind::kCorrupt) > 0 || !audit->unreachable.empty();
      }
      if (opts->cloud.empty()) {
        // A check of everything is what `status` reports, here and on other machines.
        nlohmann::json detail{{"read_data", read_data},
                              {"read_data_subset", check_options.subset.ToString()},
                              {"packs_read", report->packs_read},
                              {"snapshots", report->snapshots},
                              {"problems", report->problems.size()},
                              {"bytes_read", report->bytes_read}};
        if (audit) {
          detail["missing"] = audit->Count(engine::CloudFinding::Kind::kMissing);
          detail["corrupt"] = audit->Count(engine::CloudFinding::Kind::kCorrupt);
          detail["unreachable"] = audit->unreachable.size();
        }
        RecordJob(*repo, global,
                  {start_ns, "check", "", !errors, static_cast<double>(repo::NowUnixNanos() - start_ns) / 1e9,
                   report->bytes_read, detail.dump()},
                  true);
      }
      if (global.json) {
        nlohmann::json problems = nlohmann::json::array();
        for (const auto& p : report->problems) {
          problems.push_back({{"kind", p.kind},
                              {"severity", p.warning ? "warning" : "error"},
                              {"object", p.object},
                              {"blob", p.blob},
                              {"message", p.message},
                              {"affected", p.affected},
                              {"affected_total", p.affected_total}});
        }
        nlohmann::json j{{"message_type", "check"},          {"ok", !errors},
                         {"snapshots", report->snapshots},   {"packs", report->packs},
                         {"blobs", report->blobs},           {"blobs_read", report->blobs_read},
                         {"bytes_read", report->bytes_read}, {"problems", std::move(problems)},
                         {"read_data", read_data},           {"read_data_subset", check_options.subset.ToString()},
                         {"packs_read", report->packs_read},
                         {"prune_markers", report->prune_markers}, {"packs_marked", report->packs_marked}};
        j["requests"] = RequestsJson(global.requests->ByStore());
        if (report->next_sweep_ns != 0) j["next_sweep"] = repo::FormatRfc3339(report->next_sweep_ns);
        if (audit) {
          j["clouds"] = CloudAuditJson(*audit, placement->clouds());
          j["repair_debt"] = audit->debt.size();
          j["remove_debt"] = audit->CountDebt(placement::DebtOp::kRemove);
        }
        std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
        return FinishOnClouds(*repo, global, errors ? kExitError : kExitOk);
      }
      for (const auto& p : report->problems) {
        std::cerr << (p.warning ? "warning: " : "error: ") << p.message << "\n";
        for (const auto& a : p.affected) std::cerr << "  affects " << a << "\n";
        if (p.affected_total > p.affected.size()) {
          std::cerr << fmt::format("  ... and {} more\n", p.affected_total - p.affected.size());
        }
      }
      if (audit) {
        PrintCloudAudit(std::cerr, *audit, placement->clouds());
        if (size_t placements = audit->CountDebt(placement::DebtOp::kPlace); placements > 0) {
          std::cerr << fmt::format("{} placements are recorded as repair debt; `arkiv repair` completes them\n",
                                   placements);
        }
        if (size_t removes = audit->CountDebt(placement::DebtOp::kRemove); removes > 0) {
          std::cerr << fmt::format("{} removes a cloud missed are recorded as repair debt (their leftovers are hidden "
                                   "from every reader); `arkiv repair` removes the leftovers\n",
                                   removes);
        }
      }
      if (!global.quiet && report->prune_markers > 0) {
        std::cout << fmt::format("{} prune markers name {} stored packs on their way out; the first may be swept from "
                                 "{}\n",
                                 report->prune_markers, report->packs_marked, LocalTime(report->next_sweep_ns));
      }
      if (!global.quiet) {
        std::cout << fmt::format("checked {} snapshots, {} packs, {} blobs{}: {}\n", report->snapshots, report->packs,
                                 report->blobs,
                                 !read_data ? ""
                                 : check_options.subset.kind() == engine::ReadDataSubset::Kind::kAll
                                     ? fmt::format(" ({} read)", HumanBytes(report->bytes_read))
                                     : fmt::format(" ({} of {} packs read: subset {}, {})", report->packs_read,
                                                   report->packs, check_options.subset.ToString(),
                                                   HumanBytes(report->bytes_read)),
                                 errors ? "PROBLEMS FOUND" : "no errors");
        std::cout << RequestsLine(global.requests->ByStore()) << "\n";
      }
      return FinishOnClouds(*repo, global, errors ? kExitError : kExitOk);
    });
  });
}

}  // namespace arkiv::cli
