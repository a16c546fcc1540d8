// arkiv plan: the recovery strategy in numbers — reliability, restore time
// and cost of the repository's policy and of candidates side by side
// (planning/plan.h, docs/planning.md).
#include "planning/plan.h"

#include <fmt/format.h>

#include <iostream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/format.h"
#include "cli/plan_inputs.h"
#include "cli/plan_output.h"
#include "core/byte_size.h"
#include "planning/duration.h"

namespace arkiv::cli {
namespace {

struct PlanOptions {
  std::vector<std::string> policies;
  std::string rto;
  std::string size;
  std::string link;
  std::vector<std::string> clouds;
  std::vector<std::string> settings;
  int assume_clouds = 0;
  double common_cause = 0;
  bool measure = false;
};

Result<PlanRequest> RequestFrom(const GlobalOptions& global, const PlanOptions& opts) {
  PlanRequest request = ConfiguredPlanRequest(global);
  request.clouds = opts.clouds;
  request.assume_clouds = opts.assume_clouds;
  request.measure = opts.measure;
  if (!opts.size.empty()) {
    auto size = ParseByteSize(opts.size);
    if (!size) return Fail(size.error().Context("--size"));
    request.size = *size;
  }
  for (const auto& text : opts.settings) RETURN_IF_ERROR(AddPlanSetting(text, request.settings));
  return request;
}

Result<planning::PlanSettings> SettingsFrom(const PlanOptions& opts) {
  planning::PlanSettings settings;
  settings.common_cause = opts.common_cause;
  if (!opts.rto.empty()) {
    auto rto = planning::ParseDuration(opts.rto);
    if (!rto) return Fail(rto.error().Context("--rto"));
    settings.rto_seconds = *rto;
  }
  if (!opts.link.empty()) {
    auto link = ParseByteRate(opts.link);
    if (!link) return Fail(link.error().Context("--link"));
    settings.link_rate = static_cast<double>(*link);
  }
  return settings;
}

Result<int> RunPlan(const GlobalOptions& global, const PlanOptions& opts) {
  ASSIGN_OR_RETURN(PlanRequest request, RequestFrom(global, opts));
  ASSIGN_OR_RETURN(planning::PlanSettings settings, SettingsFrom(opts));
  PlanReport report;
  report.settings = settings;
  if (!opts.clouds.empty()) {
    ASSIGN_OR_RETURN(report.inputs, WhatIfPlanInputs(request));
  } else {
    if (global.repo.empty()) {
      return Fail(Code::kInvalidArgument,
                  "no repository: give --repo (or ARKIV_REPOSITORY), or plan without one with "
                  "--size BYTES --cloud NAME=KIND ...");
    }
    ASSIGN_OR_RETURN(auto repo, OpenRepository(global));
    ASSIGN_OR_RETURN(report.inputs, RepositoryPlanInputs(*repo, global, request));
  }
  ASSIGN_OR_RETURN(auto candidates,
                   planning::CandidatePolicies(report.inputs.current, report.inputs.clouds.size(), opts.policies));
  for (const auto& candidate : candidates) {
    ASSIGN_OR_RETURN(auto plan, planning::PlanPolicy(candidate, report.inputs.clouds, report.inputs.figures, settings));
    report.policies.push_back(std::move(plan));
  }
  if (!global.json) {
    for (const auto& warning : report.inputs.warnings) std::cerr << "warning: " << warning << "\n";
  }
  if (global.json) {
    std::cout << JsonText(PlanJson(report)) << std::endl;
  } else if (!global.quiet) {
    std::cout << PlanText(report);
  }
  return report.inputs.warnings.empty() ? kExitOk : kExitWarnings;
}

}  // namespace

void AddPlanCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto opts = std::make_shared<PlanOptions>();
  CLI::App* cmd = app.add_subcommand(
      "plan", "Reliability, restore time and cost of the repository's policy and of others, side by side");
  cmd->footer(
      "Examples:\n"
      "  arkiv plan                                    the repository's policy and the usual candidates\n"
      "  arkiv plan --policy ec:3+2 --assume-clouds 2  what two more clouds like the first would give\n"
      "  arkiv plan --measure --rto 4h                 measured speeds; the cheapest restore within 4 hours\n"
      "  arkiv plan --size 2TiB --cloud aws=s3-standard --cloud b2=b2 --cloud r2=r2   without a repository\n"
      "Prices come from a dated default table per provider kind (docs/planning.md, which gives the sources\n"
      "and the models); the kind is guessed from each cloud's URL. Any value can be changed per cloud:\n"
      "  --set aws.kind=s3-ia --set aws.loss_per_year=0.02 --set b2.download_rate=40MiB --set nas.latency=5ms\n"
      "Read-only; --measure reads a few packs from every cloud. Exit 3 when a cloud could not be listed or\n"
      "measured (the plan then uses estimates for it, and says so).");
  cmd->add_option("--policy", opts->policies,
                  "A policy to compare (repeatable): replicate (over all clouds) or ec:K+M (over the first K+M)");
  cmd->add_option("--rto", opts->rto, "Recovery-time objective (4h, 30m, 1d): show the cheapest restore within it");
  cmd->add_option("--size", opts->size, "Bytes a restore reads (default: the latest snapshot's), e.g. 500GiB");
  cmd->add_option("--cloud", opts->clouds,
                  "Plan without a repository: NAME=KIND (s3-standard, b2, r2, …) or NAME=URL (repeatable)");
  cmd->add_option("--assume-clouds", opts->assume_clouds, "Add N hypothetical clouds like the first")
      ->check(CLI::Range(0, 15));
  cmd->add_option("--set", opts->settings,
                  "Change a cloud's value: NAME.KEY=VALUE (repeatable; keys in docs/planning.md)");
  cmd->add_option("--common-cause", opts->common_cause,
                  "Beta factor for failures that strike every cloud at once, 0 to 1 (default 0)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--link", opts->link, "This machine's download bandwidth (e.g. 100MiB), caps all clouds together");
  cmd->add_flag("--measure", opts->measure, "Measure each cloud's download rate and latency (reads a few packs)");
  cmd->callback([&global, &exit_code, opts] {
    exit_code = RunCommand(global, [&]() -> Result<int> { return RunPlan(global, *opts); });
  });
}

}  // namespace arkiv::cli
