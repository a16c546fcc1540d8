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
#include "monitor/status_metrics.h"
#include "placement/repair_debt.h"

namespace arkiv::cli {
namespace {

constexpr int kProbes = 3;

// A few small reads of `config` (every cloud holds it), timed.
monitor::CloudState Probe(std::string name, storage::Store& store, monitor::History* history) {
  monitor::CloudState state;
  state.name = std::move(name);
  std::vector<double> ms;
  for (int i = 0; i < kProbes; ++i) {
    auto start = std::chrono::steady_clock::now();
    auto info = store.Stat("config");
    double took = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (history) {
      (void)history->Record({NowNs(), "probe", state.name, info.has_value(), took / 1000, 0,
                             info ? "" : nlohmann::json{{"error", info.error().message()}}.dump()});
    }
    if (!info) {
      state.error = info.error().message();
      break;
    }
    ms.push_back(took);
  }
  state.up = ms.size() == kProbes;
  if (!ms.empty()) {
    std::sort(ms.begin(), ms.end());
    state.p50_ms = ms[ms.size() / 2];
    state.p95_ms = ms.back();
  }
  return state;
}

// Objects and bytes on the cloud; repair records' entries per cloud.
void ListCloud(storage::Store& store, monitor::CloudState& state, std::vector<std::string>& records) {
  uint64_t objects = 0, bytes = 0;
  Status st = store.List("", [&](const storage::ObjectInfo& info) {
    objects++;
    bytes += info.size;
    if (info.name.starts_with(placement::kRepairPrefix)) records.push_back(info.name);
    return OkStatus();
  });
  if (st) {
    state.listed = true;
    state.objects = objects;
    state.bytes = bytes;
  }
}

}  // namespace

void AddStatusCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  struct Options {
    bool prometheus = false;
    std::string rpo = "24h";
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
    auto rpo_ns = engine::ParseDuration(opts->rpo);
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
      monitor::StatusInput in;
      in.now_ns = NowNs();
      std::vector<std::string> records;
      auto placement = engine::PlacementOf(*repo);
      if (placement) {
        in.policy = placement->policy().ToString();
        in.clouds_needed = placement->policy().erasure() ? static_cast<size_t>(placement->policy().k) : 1;
        in.write_quorum = static_cast<size_t>(placement->write_quorum());
        for (const auto& cloud : placement->clouds()) {
          in.clouds.push_back(Probe(cloud.name, *cloud.store, log));
          if (!opts->no_list && in.clouds.back().up) ListCloud(*cloud.store, in.clouds.back(), records);
        }
      } else {
        in.clouds.push_back(Probe("repository", repo->store(), log));
        if (!opts->no_list && in.clouds.back().up) ListCloud(repo->store(), in.clouds.back(), records);
      }
      if (log) {
        for (auto& c : in.clouds) {
          auto recent = log->Recent("probe", c.name, in.now_ns - 24 * 3600 * int64_t{1000000000}, 100000);
          if (recent) c.recent_errors = std::count_if(recent->begin(), recent->end(), [](auto& e) { return !e.ok; });
        }
      }
      // Repair debt: entries of the records, each once.
      std::sort(records.begin(), records.end());
      records.erase(std::unique(records.begin(), records.end()), records.end());
      std::set<placement::DebtEntry> debt;
      for (const auto& name : records) {
        auto bytes = repo->store().Get(name);
        auto record = bytes ? placement::DebtRecord::Parse(*bytes) : Fail(bytes.error());
        if (record) debt.insert(record->entries.begin(), record->entries.end());
      }
      in.debt_objects = debt.size();
      for (const auto& d : debt) {
        for (auto& c : in.clouds) c.debt += c.name == d.cloud;
      }
      // Sources: snapshots grouped by host and paths.
      ASSIGN_OR_RETURN(auto snapshots, repo->LoadSnapshots());
      std::sort(snapshots.begin(), snapshots.end(),
                [](const auto& a, const auto& b) { return a.snapshot.time_ns < b.snapshot.time_ns; });
      std::map<std::pair<std::string, std::vector<std::string>>, monitor::SourceState> sources;
      for (const auto& rec : snapshots) {
        auto paths = rec.snapshot.paths;
        std::sort(paths.begin(), paths.end());
        auto& s = sources[{rec.snapshot.host, paths}];
        s.host = rec.snapshot.host;
        s.paths = paths;
        s.latest_ns = rec.snapshot.time_ns;
        s.snapshots++;
        s.sizes.push_back(rec.snapshot.summary.bytes_total);
        if (s.sizes.size() > 10) s.sizes.erase(s.sizes.begin());
        s.last_duration_s = rec.snapshot.summary.duration_seconds;
        s.rpo_s = static_cast<double>(*rpo_ns) / 1e9;
      }
      for (auto& [key, s] : sources) in.sources.push_back(std::move(s));
      ASSIGN_OR_RETURN(auto jobs, monitor::LoadJobSummaries(*repo));
      for (const auto& j : jobs) in.jobs.push_back({j.kind, j.host, j.time_ns, j.ok, j.seconds});

      monitor::StatusReport report = monitor::Evaluate(in);
      looked = true;
      if (opts->prometheus) {
        std::cout << monitor::StatusMetricsText(in, report);
      } else if (global.json) {
        nlohmann::json clouds = nlohmann::json::array();
        for (const auto& c : in.clouds) {
          nlohmann::json j{{"name", c.name},
                           {"up", c.up},
                           {"latency_p50_ms", c.p50_ms},
                           {"latency_p95_ms", c.p95_ms},
                           {"repair_debt", c.debt},
                           {"recent_errors", c.recent_errors}};
          if (!c.up) j["error"] = c.error;
          if (c.listed) {
            j["objects"] = c.objects;
            j["bytes"] = c.bytes;
          }
          clouds.push_back(j);
        }
        nlohmann::json sources_json = nlohmann::json::array();
        for (const auto& s : in.sources) {
          sources_json.push_back({{"host", s.host},
                                  {"paths", s.paths},
                                  {"snapshots", s.snapshots},
                                  {"latest_ns", s.latest_ns},
                                  {"age_seconds", static_cast<double>(in.now_ns - s.latest_ns) / 1e9},
                                  {"rpo_seconds", s.rpo_s},
                                  {"sizes", s.sizes},
                                  {"last_duration_seconds", s.last_duration_s}});
        }
        nlohmann::json jobs_json = nlohmann::json::array();
        for (const auto& j : in.jobs) {
          jobs_json.push_back(
              {{"kind", j.kind}, {"host", j.host}, {"time_ns", j.time_ns}, {"ok", j.ok}, {"seconds", j.seconds}});
        }
        nlohmann::json findings = nlohmann::json::array();
        for (const auto& f : report.findings) {
          findings.push_back({{"level", monitor::VerdictName(f.level)}, {"message", f.message}});
        }
        nlohmann::json j{{"message_type", "status"}, {"verdict", monitor::VerdictName(report.verdict)},
                         {"policy", in.policy},      {"repair_debt", in.debt_objects},
                         {"findings", findings},     {"clouds", clouds},
                         {"sources", sources_json},  {"jobs", jobs_json}};
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
