// arkiv cloud list: the clouds of a multi-cloud repository, its policy, and
// whether each cloud answers right now.
#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/format.h"
#include "cli/progress_line.h"
#include "engine/clouds.h"
#include "placement/cloud_set.h"
#include "repo/lock.h"

namespace arkiv::cli {
namespace {

struct Probe {
  bool up = false;
  double ms = 0;
  std::string error;
};

// One small read per cloud: the config, which every cloud holds.
Probe ProbeCloud(storage::Store& store) {
  auto start = std::chrono::steady_clock::now();
  auto info = store.Stat("config");
  Probe p;
  p.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  p.up = info.has_value();
  if (!info) p.error = info.error().message();
  return p;
}

}  // namespace

namespace {

void AddCloudReplace(CLI::App& cmd, GlobalOptions& global, int& exit_code) {
  struct Options {
    std::string old_name;
    std::string replacement;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* replace = cmd.add_subcommand("replace", "Put a new cloud in the place of one that is lost or retired");
  replace->footer(
      "Example:  arkiv cloud replace azure azure2=azure://newaccount/arkiv\n"
      "Everything the old cloud held (its copies or its shards) is rebuilt onto the new one from the other\n"
      "clouds first; only then does the repository switch to the new cloud set. The old cloud is not read and\n"
      "not deleted from. Interrupted, it is run again. Needs an exclusive lock.");
  replace->add_option("old", opts->old_name, "Name of the cloud to replace")->required();
  replace->add_option("new", opts->replacement, "NAME=URL of the new cloud")->required();
  replace->callback([&global, &exit_code, opts] {
    exit_code = RunCommand(global, [&]() -> Result<int> {
      ASSIGN_OR_RETURN(auto repo, OpenRepository(global));
      ASSIGN_OR_RETURN(placement::CloudSet set, engine::RequireCloudSet(*repo));
      ASSIGN_OR_RETURN(auto spec, placement::ParseCloudArgument(opts->replacement));
      ASSIGN_OR_RETURN(auto lock, repo::RepositoryLock::Acquire(*repo, true));
      RETURN_IF_ERROR(repo->LoadIndex());
      StatusText status;
      auto mode = global.json || global.quiet ? ProgressLine::Mode::kOff : ProgressLine::Mode::kTerminal;
      Result<engine::ReplaceReport> report = [&] {
        ProgressLine line([&](double) { return status.Get(); }, mode);
        return engine::ReplaceCloud(*repo, set, opts->old_name, spec, CloudStoreOpener(global), status.Setter());
      }();
      if (!report) return Fail(report.error());
      if (global.json) {
        nlohmann::json j{{"message_type", "cloud_replaced"},
                         {"old", opts->old_name},
                         {"new", spec.name},
                         {"generation", report->set.generation},
                         {"rebuilt", report->rebuilt},
                         {"bytes_written", report->bytes_written}};
        std::cout << JsonText(j) << std::endl;
      } else if (!global.quiet) {
        std::cout << fmt::format("cloud {} replaced by {}: {} objects ({}) rebuilt onto it; cloud set generation {}\n",
                                 opts->old_name, spec.name, report->rebuilt, HumanBytes(report->bytes_written),
                                 report->set.generation);
      }
      return FinishOnClouds(*repo, global, kExitOk);
    });
  });
}

}  // namespace

void AddCloudCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("cloud", "Show or change the clouds of a multi-cloud repository");
  cmd->require_subcommand(1);
  AddCloudReplace(*cmd, global, exit_code);
  AddCloudChangeCommands(*cmd, global, exit_code);
  CLI::App* list = cmd->add_subcommand("list", "List the clouds, the policy, and whether each cloud answers");
  list->footer(
      "Exit 0 when every cloud answers, 3 when some do not (the repository is still usable while no "
      "more than the policy tolerates are out).");
  list->callback([&global, &exit_code] {
    exit_code = RunCommand(global, [&]() -> Result<int> {
      ASSIGN_OR_RETURN(auto repo, OpenRepository(global));
      ASSIGN_OR_RETURN(placement::CloudSet set, engine::RequireCloudSet(*repo));
      auto placement = engine::PlacementOf(*repo);
      int down = 0;
      nlohmann::json clouds = nlohmann::json::array();
      if (!global.json && !global.quiet) {
        std::cout << fmt::format("policy {}, write quorum {} of {}, cloud set generation {}\n",
                                 placement->policy().ToString(), placement->write_quorum(), set.clouds.size(),
                                 set.generation);
        std::cout << fmt::format("{:<12} {:<6} {:>9}  {}\n", "CLOUD", "STATE", "LATENCY", "URL");
      }
      for (size_t i = 0; i < set.clouds.size(); ++i) {
        const auto& spec = set.clouds[i];
        Probe p = ProbeCloud(*placement->clouds()[i].store);
        down += !p.up;
        if (global.json) {
          nlohmann::json c{{"name", spec.name},
                           {"url", spec.url},
                           {"read_cost", spec.read_cost},
                           {"up", p.up},
                           {"latency_ms", p.ms}};
          if (!p.up) c["error"] = p.error;
          clouds.push_back(c);
        } else if (!global.quiet) {
          std::cout << fmt::format("{:<12} {:<6} {:>7.1f}ms  {}\n", spec.name, p.up ? "up" : "DOWN", p.ms, spec.url);
          if (!p.up) std::cout << "             " << p.error << "\n";
        }
      }
      if (global.json) {
        nlohmann::json j{{"message_type", "clouds"},
                         {"policy", placement->policy().ToString()},
                         {"write_quorum", placement->write_quorum()},
                         {"generation", set.generation},
                         {"clouds", clouds}};
        if (set.pending) {
          nlohmann::json names = nlohmann::json::array();
          for (const auto& c : set.pending->clouds) names.push_back({{"name", c.name}, {"url", c.url}});
          j["pending"] = {{"policy", set.pending->policy.ToString()}, {"clouds", names}};
        }
        std::cout << JsonText(j) << std::endl;
      } else if (set.pending && !global.quiet) {
        std::string names = placement::CloudNames(set.pending->clouds);
        std::cout << fmt::format("pending (run `arkiv rebalance`): {} over {}\n", set.pending->policy.ToString(),
                                 names);
      }
      return down > 0 ? kExitWarnings : kExitOk;
    });
  });
}

}  // namespace arkiv::cli
