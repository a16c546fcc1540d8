// arkiv status: is the repository healthy — can it be restored now, are the
// backups within their RPO, were check and drill run lately? OK / WARNING /
// CRITICAL with exit 0 / 1 / 2 for monitoring systems; --prometheus for
// node_exporter's textfile collector (engine: monitor/health.h).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/format.h"
#include "cli/job_record.h"
#include "engine/clouds.h"
#include "engine/forget_policy.h"
#include "monitor/health.h"
#include "monitor/history.h"
#include "monitor/job_summary.h"
#include "monitor/notify.h"
#include "monitor/status_gather.h"
#include "monitor/status_metrics.h"
#include "placement/repair_debt.h"

namespace arkiv::cli {
void AddStatusCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  struct Options {
    bool prometheus = false;
    std::string rpo;
    bool no_list = false;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("status", "Health of the clouds and the backups: OK, WARNING or CRITICAL");
  cmd->footer(
      "Probes every cloud (latency of a few small reads), lists what each holds, reads the repair debt, the\n"
      "newest snapshot of each source (host and paths) against the RPO, and the last check, repair and drill\n"
      "of every host (recorded in the repository). Exit 0 OK, 1 WARNING, 2 CRITICAL (as monitoring plugins do);\n"
      "a failure to open the repository is CRITICAL too. History (probes, jobs) is kept in a local SQLite\n"
      "database under $ARKIV_CACHE_DIR or ~/.cache/arkiv.\n"
      "  arkiv status --prometheus > /var/lib/node_exporter/textfile/arkiv.prom");
  cmd->add_flag("--prometheus", opts->prometheus, "Print Prometheus text metrics instead (node_exporter textfile)");
  cmd->add_option("--rpo", opts->rpo,
                  "Recovery point objective: the newest snapshot of each source must be "
                  "younger (e.g. 24h, 2d)")
      ->capture_default_str();
  cmd->add_flag("--no-list", opts->no_list, "Do not list the clouds (no stored bytes and objects)");
  cmd->callback([&global, &exit_code, opts] {
    std::optional<int64_t> rpo_ns = int64_t{24} * 3600 * 1'000'000'000;
    if (!opts->rpo.empty()) {
      rpo_ns = engine::ParseDuration(opts->rpo);
    } else if (global.config && global.config->rpo_ns) {
      rpo_ns = *global.config->rpo_ns;
    }
    if (!rpo_ns) {
      (void)ReportError(
          global, Error(Code::kInvalidArgument, fmt::format("--rpo {}: not a duration (e.g. 24h, 2d, 1w)", opts->rpo)));
      exit_code = static_cast<int>(monitor::Verdict::kCritical);
      return;
    }
    bool looked = false;
    int code = RunCommand(global, [&]() -> Result<int> {
      ASSIGN_OR_RETURN(auto repo, OpenRepository(global));
      auto history = monitor::History::Open(monitor::DefaultHistoryPath(repo->config().id.Hex()));
      monitor::History* log = history ? history->get() : nullptr;
      monitor::GatherOptions gather;
      gather.now_ns = NowNs();
      gather.rpo_s = static_cast<double>(*rpo_ns) / 1e9;
      gather.list = !opts->no_list;
      gather.history = log;
      if (global.config) {
        for (const auto& [label, ns] : global.config->source_rpo_ns)
          gather.source_rpo_s[label] = static_cast<double>(ns) / 1e9;
      }
      ASSIGN_OR_RETURN(monitor::StatusInput in, monitor::GatherStatus(*repo, gather));
      monitor::StatusReport report = monitor::Evaluate(in);
      looked = true;
      monitor::Notifier notifier(NotifyCommand(global), repo->config().id.Hex(), HostName(), log);
      monitor::NotifyChanges(notifier, in);
      if (opts->prometheus) {
        std::cout << monitor::StatusMetricsText(in, report);
      } else if (global.json) {
        nlohmann::json j = monitor::StatusJson(in, report);
        std::cout << JsonText(j) << std::endl;
      } else {
        std::cout << fmt::format(
            "{}: {}\n", monitor::VerdictName(report.verdict),
            report.findings.empty() ? "all clouds answer, backups within their RPO" : report.findings.front().message);
        for (size_t i = 1; i < report.findings.size(); ++i) {
          std::cout << fmt::format("  {}: {}\n", monitor::VerdictName(report.findings[i].level),
                                   report.findings[i].message);
        }
        std::cout << fmt::format("\n{:<12} {:<5} {:>9} {:>9} {:>10} {:>9} {:>5}\n", "CLOUD", "STATE", "P50", "P95",
                                 "STORED", "OBJECTS", "DEBT");
        for (const auto& c : in.clouds) {
          std::cout << fmt::format("{:<12} {:<5} {:>7.1f}ms {:>7.1f}ms {:>10} {:>9} {:>5}\n", c.name,
                                   c.up ? "up" : "DOWN", c.p50_ms, c.p95_ms, c.listed ? HumanBytes(c.bytes) : "-",
                                   c.listed ? std::to_string(c.objects) : "-", c.debt);
        }
        std::cout << fmt::format("\n{:<40} {:>9} {:>12} {:>10} {:>10}\n", "SOURCE", "SNAPSHOTS", "NEWEST", "RPO",
                                 "SIZE");
        for (const auto& s : in.sources) {
          std::cout << fmt::format("{:<40} {:>9} {:>12} {:>10} {:>10}\n", s.Label(), s.snapshots,
                                   monitor::HumanAge(static_cast<double>(in.now_ns - s.latest_ns) / 1e9) + " ago",
                                   monitor::HumanAge(s.rpo_s), s.sizes.empty() ? "-" : HumanBytes(s.sizes.back()));
        }
        if (!in.jobs.empty()) {
          std::cout << fmt::format("\n{:<8} {:<20} {:>12} {:<6} {:>9}\n", "JOB", "HOST", "WHEN", "RESULT", "TOOK");
          for (const auto& j : in.jobs) {
            std::cout << fmt::format("{:<8} {:<20} {:>12} {:<6} {:>8.1f}s\n", j.kind, j.host,
                                     monitor::HumanAge(static_cast<double>(in.now_ns - j.time_ns) / 1e9) + " ago",
                                     j.ok ? "ok" : "FAILED", j.seconds);
          }
        }
      }
      return static_cast<int>(report.verdict);
    });
    // Not being able to look is critical for a monitoring system.
    exit_code = looked ? code : static_cast<int>(monitor::Verdict::kCritical);
  });
}

}  // namespace arkiv::cli
