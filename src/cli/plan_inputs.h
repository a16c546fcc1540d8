// What `arkiv plan` plans from: the clouds (their provider profiles, with
// the command line's overrides and measurements), the repository's figures
// (what it stores, what a restore of its latest snapshot reads, how much it
// grows a month) and its own policy — read from the repository, or given on
// the command line for a what-if without one.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/global_options.h"
#include "placement/cloud_set.h"
#include "planning/plan.h"
#include "repo/repository.h"

namespace arkiv::cli {

struct PlanRequest {
  std::vector<std::string> clouds;  // what-if: NAME=KIND or NAME=URL
  std::optional<uint64_t> size;     // bytes a restore reads, instead of the latest snapshot's
  int assume_clouds = 0;            // hypothetical clouds like the first
  // --set NAME.KEY=VALUE, by cloud name.
  std::map<std::string, std::map<std::string, std::string>> settings;
  // The config file's [clouds.NAME.plan] values, by cloud name: applied
  // before --measure and --set (a standing assumption, which a measurement
  // or the command line replaces). Names of no cloud are ignored.
  std::map<std::string, std::map<std::string, std::string>> configured;
  bool measure = false;
};

struct PlanInputs {
  std::vector<planning::PlanCloud> clouds;
  planning::RepositoryFigures figures;
  std::optional<planning::Candidate> current;  // the repository's own policy
  std::string restore_source;                  // "latest snapshot 1a2b3c4d", "--size"
  std::vector<std::string> warnings;           // clouds that could not be listed or measured
};

// "NAME.KEY=VALUE" into `settings`. kInvalidArgument saying the form.
Status AddPlanSetting(std::string_view text, std::map<std::string, std::map<std::string, std::string>>& settings);

// A request carrying the config file's [clouds.NAME.plan] values.
PlanRequest ConfiguredPlanRequest(const GlobalOptions& global);

// The planning profiles of the clouds of `set`, unmeasured: the kind guessed
// from each URL (or the configured one), then the configured values, then
// --set. kInvalidArgument naming the cloud for a bad value.
Result<std::vector<planning::PlanCloud>> CloudSetPlanClouds(const placement::CloudSet& set,
                                                            const PlanRequest& request);

// A what-if: the clouds of --cloud, a repository of --size bytes.
Result<PlanInputs> WhatIfPlanInputs(const PlanRequest& request);

// The open repository's clouds (listed, and measured with --measure), its
// figures and its policy. Loads the index.
Result<PlanInputs> RepositoryPlanInputs(repo::Repository& repo, const GlobalOptions& global,
                                        const PlanRequest& request);

}  // namespace arkiv::cli
