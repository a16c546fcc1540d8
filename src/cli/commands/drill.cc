// arkiv drill: rehearse a disaster — restore without the named clouds
// (never contacted), verify every restored file, measure time, bytes and
// requests per cloud, record the result (engine/drill.h).
#include "engine/drill.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/config_options.h"
#include "cli/exit_codes.h"
#include "cli/format.h"
#include "cli/job_record.h"
#include "cli/plan_inputs.h"
#include "cli/progress_line.h"
#include "engine/clouds.h"
#include "monitor/notify.h"
#include "planning/plan.h"
#include "planning/provider_profile.h"
#include "repo/lock.h"
#include "repo/system_info.h"

namespace arkiv::cli {
namespace {

// A fresh directory under $TMPDIR, removed on scope exit.
class ScratchDir {
 public:
  static Result<ScratchDir> Make() {
    const char* base = std::getenv("TMPDIR");
    std::string templ = std::string(base && *base ? base : "/tmp") + "/arkiv-drill-XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) {
      return Fail(Code::kFailedPrecondition, fmt::format("cannot make a directory under {}", base ? base : "/tmp"));
    }
    return ScratchDir(templ);
  }
  ScratchDir(ScratchDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  explicit ScratchDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// What `plan` estimates for this drill: the same model (docs/planning.md,
// "Recovery time") over the clouds the drill read from, with the profiles
// `plan` uses without --measure (the config file's [clouds.NAME.plan]
// values, else the kind's assumed speeds), for the blobs the drill read.
struct DrillEstimate {
  double seconds = 0;
  bool configured = false;  // some speed came from the config file, not the default table
};

Result<std::optional<DrillEstimate>> EstimateDrill(const repo::Repository& repo,
                                                   const std::vector<planning::PlanCloud>& clouds,
                                                   const std::vector<std::string>& without,
                                                   const engine::RestoreSize& work, const PlanRequest& request) {
  auto placement = engine::PlacementOf(repo);
  if (!placement) return std::optional<DrillEstimate>();
  std::vector<bool> available;
  DrillEstimate estimate;
  for (const auto& c : clouds) {
    available.push_back(std::find(without.begin(), without.end(), c.name) == without.end());
    auto configured = request.configured.find(c.name);
    if (configured != request.configured.end() &&
        (configured->second.contains("download_rate") || configured->second.contains("latency"))) {
      estimate.configured = true;
    }
  }
  ASSIGN_OR_RETURN(auto seconds, planning::EstimateRestoreSeconds(
                                     placement->policy(), clouds, available,
                                     {static_cast<double>(work.bytes), static_cast<double>(work.requests)}, 0));
  if (!seconds) return std::optional<DrillEstimate>();
  estimate.seconds = *seconds;
  return std::optional<DrillEstimate>(estimate);
}

}  // namespace

void AddDrillCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  struct Options {
    std::vector<std::string> without;
    std::string snapshot = "latest";
    double sample = 100;
    std::string target;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("drill", "Rehearse a disaster: restore without some clouds, verify, measure");
  cmd->footer(
      "Example:  arkiv drill --without aws            (as if the aws account were lost)\n"
      "The clouds named by --without are not contacted at all. The snapshot (or a --sample of its files) is\n"
      "restored from the others into --target (default: a temporary directory, removed afterwards), every\n"
      "restored file is read back and verified against the snapshot, and the time, bytes and requests per\n"
      "cloud are reported and recorded (see `arkiv status`). Open the repository (--repo) through a cloud that\n"
      "is not left out. Exit 0 when every selected file came back right, 1 otherwise.");
  cmd->add_option("--without", opts->without, "A cloud to leave out, as if lost (repeat)");
  cmd->add_option("--snapshot", opts->snapshot, "Snapshot ID or prefix, or latest")->capture_default_str();
  cmd->add_option("--sample", opts->sample, "Percent of the snapshot's files to restore (chosen at random)")
      ->check(CLI::Range(0.001, 100.0))
      ->capture_default_str();
  cmd->add_option("--target", opts->target, "Restore here (an empty or new directory) and keep the files");
  cmd->callback([&global, &exit_code, opts] {
    exit_code = RunCommand(global, [&]() -> Result<int> {
      ASSIGN_OR_RETURN(auto store, OpenRepositoryStore(global));
      ASSIGN_OR_RETURN(std::string password, ReadPassword(global, false));
      ASSIGN_OR_RETURN(auto repo, repo::Repository::Open(std::move(store), password));
      ASSIGN_OR_RETURN(auto set, engine::LoadCloudSet(*repo));
      if (!set && !opts->without.empty()) {
        return Fail(Code::kInvalidArgument, "--without: this is a single-store repository (no clouds to leave out)");
      }
      std::vector<std::string> used;
      if (set) {
        for (const auto& name : opts->without) {
          auto it = std::find_if(set->clouds.begin(), set->clouds.end(), [&](auto& c) { return c.name == name; });
          if (it == set->clouds.end())
            return Fail(Code::kInvalidArgument, fmt::format("--without: no cloud named '{}'", name));
          if (it->url == RepositoryUrl(global).value_or("")) {
            return Fail(Code::kInvalidArgument,
                        fmt::format("--repo is cloud {}, which the drill leaves out: open the repository through "
                                    "another cloud's URL",
                                    name));
          }
        }
        for (const auto& c : set->clouds) {
          if (std::find(opts->without.begin(), opts->without.end(), c.name) == opts->without.end()) {
            used.push_back(c.name);
          }
        }
      }
      std::map<std::string, std::shared_ptr<storage::StoreMetrics>> metrics;
      RETURN_IF_ERROR(
          engine::AttachClouds(*repo, engine::DrillStoreOpener(CloudStoreOpener(global), opts->without, metrics)));
      ASSIGN_OR_RETURN(auto lock, LockForReading(*repo, global));
      int64_t start_ns = repo::NowUnixNanos();
      RETURN_IF_ERROR(repo->LoadIndex());
      std::optional<ScratchDir> scratch;
      engine::DrillOptions options;
      options.snapshot = opts->snapshot;
      options.sample_percent = opts->sample;
      options.seed = static_cast<uint64_t>(start_ns);
      if (opts->target.empty()) {
        ASSIGN_OR_RETURN(auto dir, ScratchDir::Make());
        scratch.emplace(std::move(dir));
        options.target = scratch->path();
      } else {
        std::error_code ec;
        std::filesystem::create_directories(opts->target, ec);
        if (ec || !std::filesystem::is_empty(opts->target, ec)) {
          return Fail(Code::kInvalidArgument,
                      fmt::format("--target {}: must be an empty directory (or not exist yet)", opts->target));
        }
        options.target = opts->target;
      }
      StatusText status;
      auto mode = global.json || global.quiet ? ProgressLine::Mode::kOff : ProgressLine::Mode::kTerminal;
      status.Set("restoring");
      Result<engine::DrillReport> report = [&] {
        ProgressLine line([&](double) { return status.Get(); }, mode);
        return engine::RunDrill(*repo, options);
      }();
      if (!report) return Fail(report.error());
      // The clouds as `plan` sees them (kind, prices and speeds, with the
      // config file's values): for the cost and the estimate.
      PlanRequest plan_request = ConfiguredPlanRequest(global);
      std::vector<planning::PlanCloud> profiles;
      std::optional<DrillEstimate> estimate;
      if (set) {
        ASSIGN_OR_RETURN(profiles, CloudSetPlanClouds(*set, plan_request));
        ASSIGN_OR_RETURN(estimate, EstimateDrill(*repo, profiles, opts->without, report->work, plan_request));
      }
      // Bytes and requests per cloud, as the placement made them.
      nlohmann::json clouds = nlohmann::json::array();
      uint64_t total_requests = 0, total_down = 0;
      double total_cost = 0;
      for (const auto& name : used) {
        auto snap = metrics.contains(name) ? metrics[name]->Snapshot() : storage::StoreMetricsSnapshot{};
        uint64_t requests = 0, down = 0, errors = 0;
        for (const auto& op : snap.operations) {
          requests += op.requests;
          down += op.bytes_down;
          errors += op.error_count();
        }
        total_requests += requests;
        total_down += down;
        // What the same reads would cost on the cloud's kind of store, at list
        // prices or the config file's (docs/planning.md; free allowances not
        // subtracted).
        double cost = 0;
        std::string kind;
        auto cloud = std::find_if(profiles.begin(), profiles.end(), [&](const auto& c) { return c.name == name; });
        if (cloud != profiles.end()) {
          const planning::ProviderProfile& profile = cloud->profile;
          kind = profile.kind;
          double gets = static_cast<double>(snap[storage::Operation::kGet].requests);
          cost = static_cast<double>(down) / planning::kBytesPerGb * (profile.egress_per_gb + profile.retrieval_per_gb) +
                 gets / 1000 * profile.get_per_1000;
        }
        total_cost += cost;
        // Observed download rate: what to give as download_rate in
        // [clouds.NAME.plan] so that `plan` estimates from this machine's reality.
        clouds.push_back({{"name", name},
                          {"kind", kind},
                          {"requests", requests},
                          {"bytes_downloaded", down},
                          {"bytes_per_second", static_cast<double>(down) / std::max(report->seconds, 1e-3)},
                          {"errors", errors},
                          {"cost_usd", cost}});
      }
      bool ok = report->ok();
      nlohmann::json j{{"message_type", "drill"},
                       {"ok", ok},
                       {"snapshot", report->snapshot.Hex()},
                       {"without", opts->without},
                       {"files_in_snapshot", report->files_in_snapshot},
                       {"files_selected", report->files_selected},
                       {"files_verified", report->files_verified},
                       {"bytes_restored", report->bytes_restored},
                       {"seconds", report->seconds},
                       {"bytes_downloaded", total_down},
                       {"requests", total_requests},
                       {"cost_usd", total_cost},
                       {"price_table", planning::kPriceTableDate},
                       {"clouds", clouds},
                       {"read", {{"bytes", report->work.bytes}, {"blobs", report->work.blobs}, {"requests", report->work.requests}}},
                       {"estimate", nullptr},
                       {"problems", report->problems}};
      if (estimate) {
        j["estimate"] = {{"seconds", estimate->seconds},
                         {"measured_over_estimate", report->seconds / std::max(estimate->seconds, 1e-9)},
                         {"speeds", estimate->configured ? "configured" : "assumed"}};
      }
      // The record goes to every cloud, the left-out ones too: the drill is over.
      if (!opts->without.empty()) RETURN_IF_ERROR(engine::AttachClouds(*repo, CloudStoreOpener(global)));
      RecordJob(*repo, global, {start_ns, "drill", "", ok, report->seconds, report->bytes_restored, j.dump()}, true);
      if (!ok) {
        monitor::Notifier(NotifyCommand(global), repo->config().id.Hex(), repo::HostName(), nullptr)
            .Send("drill_failed",
                  {{"without", opts->without},
                   {"message",
                    fmt::format("DR drill without {} failed: {}",
                                opts->without.empty() ? "no cloud" : fmt::format("{}", fmt::join(opts->without, ", ")),
                                report->problems.empty() ? "incomplete" : report->problems.front())}});
      }
      if (global.json) {
        std::cout << JsonText(j) << std::endl;
      } else {
        for (const auto& p : report->problems) std::cerr << "error: " << p << "\n";
        if (!global.quiet) {
          std::cout << fmt::format(
              "drill: snapshot {}{}\n", report->snapshot.Short(),
              opts->without.empty() ? "" : fmt::format(", without {}", fmt::join(opts->without, ", ")));
          std::cout << fmt::format("  {} of {} files selected, {} restored and verified, {} in {:.1f}s ({}/s)\n",
                                   report->files_selected, report->files_in_snapshot, report->files_verified,
                                   HumanBytes(report->bytes_restored), report->seconds,
                                   HumanBytes(static_cast<uint64_t>(static_cast<double>(report->bytes_restored) /
                                                                    std::max(report->seconds, 1e-3))));
          for (const auto& c : clouds) {
            std::cout << fmt::format(
                "  cloud {:<12} {:>6} requests {:>10} downloaded {:>10}/s  ${:.4f} as {}\n",
                c["name"].get<std::string>(), c["requests"].get<uint64_t>(),
                HumanBytes(c["bytes_downloaded"].get<uint64_t>()),
                HumanBytes(static_cast<uint64_t>(c["bytes_per_second"].get<double>())), c["cost_usd"].get<double>(),
                c["kind"].get<std::string>().empty() ? "-" : c["kind"].get<std::string>());
          }
          for (const auto& name : opts->without)
            std::cout << fmt::format("  cloud {:<12} left out, not contacted\n", name);
          std::cout << fmt::format("  restore cost at list prices ({} table): ${:.4f}\n", planning::kPriceTableDate,
                                   total_cost);
          if (estimate) {
            // The comparison tells whether `plan`'s recovery times can be
            // trusted here; the observed rates above are the fix when not.
            std::cout << fmt::format(
                "  plan's estimate: {:.1f}s from {} speeds; measured {:.1f}s ({:.2f}x the estimate){}\n",
                estimate->seconds, estimate->configured ? "configured" : "assumed default", report->seconds,
                report->seconds / std::max(estimate->seconds, 1e-9),
                estimate->configured ? "" : "\n  (set download_rate and latency in [clouds.NAME.plan] of the config "
                                            "file to plan from what you see)");
          }
          std::cout << (ok ? "PASSED\n" : "FAILED\n");
        }
      }
      return FinishOnClouds(*repo, global, ok ? kExitOk : kExitError);
    });
  });
}

}  // namespace arkiv::cli
