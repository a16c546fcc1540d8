#include "cli/plan_inputs.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <memory>

#include "engine/cloud_usage.h"
#include "engine/clouds.h"
#include "engine/restore_size.h"
#include "planning/measure.h"
#include "planning/provider_profile.h"

namespace arkiv::cli {
namespace {

// A restore reads packs whole, or in runs of nearby blobs (engine/
// restore_plan.h): a given --size is read in requests of a default pack.
constexpr double kRequestBytes = 16.0 * 1024 * 1024;
constexpr int64_t kMonthNs = int64_t{30} * 86400 * 1'000'000'000;

planning::RestoreWork WorkOfSize(uint64_t size) {
  return {static_cast<double>(size), std::ceil(static_cast<double>(size) / kRequestBytes)};
}

const std::map<std::string, std::string>& SettingsOf(const PlanRequest& request, const std::string& name) {
  static const std::map<std::string, std::string> none;
  auto it = request.settings.find(name);
  return it == request.settings.end() ? none : it->second;
}

// The default profile of the cloud's kind: --set NAME.kind=K, else the
// configured kind, else guessed from `url` (or `kind` itself when that is
// what the command line gave); then the configured values.
Result<planning::PlanCloud> BaseCloud(const std::string& name, const std::string& kind, const PlanRequest& request) {
  const auto& settings = SettingsOf(request, name);
  auto it = request.configured.find(name);
  std::map<std::string, std::string> configured;
  if (it != request.configured.end()) configured = it->second;
  std::string chosen = kind;
  if (auto k = configured.find("kind"); k != configured.end()) chosen = k->second;
  if (auto k = settings.find("kind"); k != settings.end()) chosen = k->second;
  auto profile = planning::DefaultProfile(chosen);
  if (!profile) return Fail(profile.error().Context(fmt::format("cloud {}", name)));
  configured.erase("kind");
  if (Status applied = planning::ApplyOverrides(*profile, configured); !applied) {
    return Fail(applied.error().Context(fmt::format("cloud {} ([clouds.{}.plan] of the config file)", name, name)));
  }
  return planning::PlanCloud{name, std::move(*profile)};
}

// Adds the hypothetical clouds (copies of the first), then applies every
// --set but kind (already applied by BaseCloud to the real clouds).
Status FinishClouds(PlanInputs& inputs, const PlanRequest& request) {
  if (request.assume_clouds > 0 && inputs.clouds.empty()) {
    return Fail(Code::kInvalidArgument, "--assume-clouds copies the first cloud: there is none");
  }
  size_t real = inputs.clouds.size();
  for (int i = 1; i <= request.assume_clouds; ++i) {
    planning::PlanCloud extra = inputs.clouds.front();
    extra.name = fmt::format("assumed{}", i);
    extra.assumed = true;
    inputs.clouds.push_back(std::move(extra));
  }
  for (const auto& [name, settings] : request.settings) {
    auto cloud = std::find_if(inputs.clouds.begin(), inputs.clouds.end(),
                              [&](const planning::PlanCloud& c) { return c.name == name; });
    if (cloud == inputs.clouds.end()) {
      std::string names;
      for (const auto& c : inputs.clouds) names += (names.empty() ? "" : ", ") + c.name;
      return Fail(Code::kInvalidArgument, fmt::format("--set {}.{}: no cloud named {} (clouds: {})", name,
                                                      settings.begin()->first, name, names));
    }
    auto overrides = settings;
    bool real_cloud = static_cast<size_t>(cloud - inputs.clouds.begin()) < real;
    if (real_cloud) overrides.erase("kind");
    if (overrides.contains("kind")) cloud->measured = false;
    Status applied = planning::ApplyOverrides(cloud->profile, overrides);
    if (!applied) return Fail(applied.error().Context(fmt::format("cloud {}", name)));
  }
  return OkStatus();
}

// Per cloud, what it holds; a cloud that does not answer is a warning.
std::vector<std::optional<engine::CloudUsage>> ListClouds(const std::vector<std::shared_ptr<storage::Store>>& stores,
                                                          const std::vector<planning::PlanCloud>& clouds,
                                                          std::vector<std::string>& warnings) {
  std::vector<std::optional<engine::CloudUsage>> usage;
  for (size_t i = 0; i < stores.size(); ++i) {
    // Every cloud holds the config: a cloud without it is out or wiped, and
    // its listing (maybe empty rather than failed) says nothing of the policy.
    auto probe = stores[i]->Stat("config");
    if (!probe) {
      warnings.push_back(fmt::format("cloud {} does not answer, its stored bytes are estimated: {}", clouds[i].name,
                                     probe.error().message()));
      usage.emplace_back();
      continue;
    }
    auto listed = engine::CloudUsageOf(*stores[i]);
    if (!listed) {
      warnings.push_back(fmt::format("cloud {} could not be listed, its stored bytes are estimated: {}", clouds[i].name,
                                     listed.error().message()));
      usage.emplace_back();
    } else {
      usage.emplace_back(std::move(*listed));
    }
  }
  return usage;
}

void MeasureClouds(const std::vector<std::shared_ptr<storage::Store>>& stores,
                   const std::vector<std::optional<engine::CloudUsage>>& usage, PlanInputs& inputs) {
  for (size_t i = 0; i < stores.size(); ++i) {
    planning::PlanCloud& cloud = inputs.clouds[i];
    if (!usage[i]) continue;  // already warned about
    auto measured = planning::MeasureDownload(*stores[i], usage[i]->largest_data, "config");
    if (!measured) {
      inputs.warnings.push_back(fmt::format("cloud {} could not be measured, its speed is assumed: {}", cloud.name,
                                            measured.error().message()));
      continue;
    }
    cloud.profile.download_rate = measured->rate;
    cloud.profile.latency = measured->latency;
    cloud.measured = true;
  }
}

Status FillFigures(repo::Repository& repo, const PlanRequest& request, PlanInputs& inputs) {
  RETURN_IF_ERROR(repo.LoadIndex());
  ASSIGN_OR_RETURN(engine::CloudUsage logical, engine::CloudUsageOf(repo.store(), 0));
  auto& f = inputs.figures;
  f.data_bytes = static_cast<double>(logical.data_bytes);
  f.data_packs = static_cast<double>(logical.data_objects);
  f.metadata_bytes = static_cast<double>(logical.other_bytes);
  f.pack_size = repo.config().pack_size;
  ASSIGN_OR_RETURN(auto snapshots, repo.LoadSnapshots());
  int64_t now =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  for (const auto& record : snapshots) {
    if (record.snapshot.time_ns < now - kMonthNs) continue;
    f.new_bytes_per_month += static_cast<double>(record.snapshot.summary.bytes_stored);
    f.backups_per_month++;
  }
  if (request.size) {
    f.restore = WorkOfSize(*request.size);
    inputs.restore_source = "--size";
    return OkStatus();
  }
  if (snapshots.empty()) {
    return Fail(Code::kFailedPrecondition,
                fmt::format("{}: no snapshot yet to plan a restore of: give --size BYTES", repo.store().Location()));
  }
  const auto& latest = snapshots.back();  // LoadSnapshots: oldest first
  ASSIGN_OR_RETURN(engine::RestoreSize size, engine::RestoreSizeOf(repo, latest.snapshot.tree));
  f.restore = {static_cast<double>(size.bytes), static_cast<double>(size.requests)};
  inputs.restore_source = fmt::format("latest snapshot {}", latest.id.Short());
  return OkStatus();
}

}  // namespace

Status AddPlanSetting(std::string_view text, std::map<std::string, std::map<std::string, std::string>>& settings) {
  size_t dot = text.find('.'), equals = text.find('=');
  if (dot == 0 || dot == std::string_view::npos || equals == std::string_view::npos || equals < dot + 2) {
    return Fail(Code::kInvalidArgument,
                fmt::format("--set {}: expected NAME.KEY=VALUE (e.g. aws.egress_per_gb=0.05)", text));
  }
  settings[std::string(text.substr(0, dot))][std::string(text.substr(dot + 1, equals - dot - 1))] =
      std::string(text.substr(equals + 1));
  return OkStatus();
}

PlanRequest ConfiguredPlanRequest(const GlobalOptions& global) {
  PlanRequest request;
  if (global.config) {
    for (const auto& cloud : global.config->clouds) {
      if (!cloud.plan.empty()) request.configured[cloud.spec.name] = cloud.plan;
    }
  }
  return request;
}

Result<std::vector<planning::PlanCloud>> CloudSetPlanClouds(const placement::CloudSet& set,
                                                            const PlanRequest& request) {
  std::vector<planning::PlanCloud> clouds;
  for (const auto& spec : set.clouds) {
    ASSIGN_OR_RETURN(auto cloud, BaseCloud(spec.name, planning::GuessKind(spec.url), request));
    cloud.read_cost = spec.read_cost;
    clouds.push_back(std::move(cloud));
  }
  return clouds;
}

Result<PlanInputs> WhatIfPlanInputs(const PlanRequest& request) {
  if (!request.size) {
    return Fail(Code::kInvalidArgument, "a plan without a repository needs --size BYTES (what a restore reads)");
  }
  if (request.measure) return Fail(Code::kInvalidArgument, "--measure needs a repository to read from");
  PlanInputs inputs;
  for (const std::string& text : request.clouds) {
    size_t equals = text.find('=');
    if (equals == 0 || equals == std::string::npos || equals + 1 == text.size()) {
      return Fail(Code::kInvalidArgument, fmt::format("--cloud {}: expected NAME=KIND or NAME=URL", text));
    }
    std::string name = text.substr(0, equals), value = text.substr(equals + 1);
    if (name.find('.') != std::string::npos) {
      return Fail(Code::kInvalidArgument, fmt::format("--cloud {}: a cloud name has no '.' (--set NAME.KEY)", text));
    }
    bool url = value.find("://") != std::string::npos || value.starts_with('/');
    ASSIGN_OR_RETURN(auto cloud, BaseCloud(name, url ? planning::GuessKind(value) : value, request));
    bool repeated = std::any_of(inputs.clouds.begin(), inputs.clouds.end(),
                                [&](const planning::PlanCloud& c) { return c.name == name; });
    if (repeated) return Fail(Code::kInvalidArgument, fmt::format("--cloud {}: the name is given twice", name));
    inputs.clouds.push_back(std::move(cloud));
  }
  auto& f = inputs.figures;
  f.data_bytes = static_cast<double>(*request.size);
  f.data_packs = std::ceil(f.data_bytes / f.pack_size);
  f.restore = WorkOfSize(*request.size);
  inputs.restore_source = "--size";
  RETURN_IF_ERROR(FinishClouds(inputs, request));
  return inputs;
}

Result<PlanInputs> RepositoryPlanInputs(repo::Repository& repo, const GlobalOptions& global,
                                        const PlanRequest& request) {
  PlanInputs inputs;
  ASSIGN_OR_RETURN(auto set, engine::LoadCloudSet(repo));
  auto placement = engine::PlacementOf(repo);
  std::vector<std::shared_ptr<storage::Store>> stores;
  planning::Candidate current;
  current.current = true;
  if (set && placement) {
    ASSIGN_OR_RETURN(inputs.clouds, CloudSetPlanClouds(*set, request));
    for (size_t i = 0; i < set->clouds.size(); ++i) stores.push_back(placement->clouds()[i].store);
    current.policy = placement->policy();
    current.write_quorum = placement->write_quorum();
  } else {
    ASSIGN_OR_RETURN(auto cloud, BaseCloud("repository", planning::GuessKind(global.repo), request));
    inputs.clouds.push_back(std::move(cloud));
    stores.push_back(repo.shared_store());
    current.write_quorum = 1;
  }
  for (size_t i = 0; i < inputs.clouds.size(); ++i) current.clouds.push_back(i);

  RETURN_IF_ERROR(FillFigures(repo, request, inputs));
  auto usage = ListClouds(stores, inputs.clouds, inputs.warnings);
  if (std::all_of(usage.begin(), usage.end(), [](const auto& u) { return u.has_value(); })) {
    for (const auto& u : usage) {
      current.measured.push_back({static_cast<double>(u->data_bytes), static_cast<double>(u->other_bytes)});
    }
  }
  if (request.measure) MeasureClouds(stores, usage, inputs);
  inputs.current = std::move(current);
  RETURN_IF_ERROR(FinishClouds(inputs, request));
  return inputs;
}

}  // namespace arkiv::cli
