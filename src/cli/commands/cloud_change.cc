// arkiv cloud add / cloud remove: stage a change of the cloud set. The
// repository keeps using its current clouds until `arkiv rebalance` has
// moved the data (design.md §20.6), so several changes can be staged and
// carried out at once (e.g. two clouds added for ec:2+1 → ec:3+2).
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/format.h"
#include "engine/clouds.h"
#include "placement/cloud_set.h"
#include "repo/lock.h"

namespace arkiv::cli {
namespace {

// What the operator does next with the pending change.
std::string NextStep(const placement::PendingClouds& pending) {
  int n = static_cast<int>(pending.clouds.size());
  if (pending.policy.erasure() && pending.policy.RequiredClouds() != n) {
    return fmt::format("policy {} needs {} clouds: run `arkiv rebalance --policy ec:K+M` with K+M = {}",
                       pending.policy.ToString(), pending.policy.RequiredClouds(), n);
  }
  return "run `arkiv rebalance` to move the data (`--dry-run` shows the plan)";
}

// Applies `change` to the pending cloud list and publishes the result.
Result<int> StageChange(GlobalOptions& global,
                        const std::function<Status(placement::CloudSet&, repo::Repository&)>& change,
                        std::string_view what) {
  ASSIGN_OR_RETURN(auto repo, OpenRepository(global));
  ASSIGN_OR_RETURN(auto lock, repo::RepositoryLock::Acquire(*repo, true));
  ASSIGN_OR_RETURN(placement::CloudSet set, engine::RequireCloudSet(*repo));
  placement::CloudSet next = set;
  next.generation = set.generation + 1;
  next.pending = set.Target();
  RETURN_IF_ERROR(change(next, *repo));
  RETURN_IF_ERROR(placement::ValidateCloudList(next.pending->clouds));
  if (*next.pending == placement::PendingClouds{set.policy, set.write_quorum, set.clouds}) next.pending.reset();
  RETURN_IF_ERROR(engine::PublishCloudSet(*repo, next));
  placement::PendingClouds target = next.Target();
  if (global.json) {
    nlohmann::json clouds = nlohmann::json::array();
    for (const auto& c : target.clouds)
      clouds.push_back({{"name", c.name}, {"url", c.url}, {"read_cost", c.read_cost}});
    nlohmann::json j{{"message_type", "cloud_set_staged"}, {"change", what},
                     {"generation", next.generation},      {"pending", next.pending.has_value()},
                     {"policy", target.policy.ToString()}, {"clouds", clouds}};
    std::cout << JsonText(j) << std::endl;
  } else if (!global.quiet) {
    if (next.pending) {
      std::cout << fmt::format("{}; pending cloud set: {} over {} ({} clouds)\n{}\n", what, target.policy.ToString(),
                               placement::CloudNames(target.clouds), target.clouds.size(), NextStep(target));
    } else {
      std::cout << fmt::format("{}; nothing pending any more (the clouds are as they are in use)\n", what);
    }
  }
  return FinishOnClouds(*repo, global, kExitOk);
}

}  // namespace

void AddCloudChangeCommands(CLI::App& cloud, GlobalOptions& global, int& exit_code) {
  struct Options {
    std::string spec;
    double read_cost = 1.0;
    std::string name;
  };
  auto opts = std::make_shared<Options>();

  CLI::App* add = cloud.add_subcommand("add", "Stage a new cloud; `arkiv rebalance` moves data onto it");
  add->footer(
      "Example:  arkiv cloud add gcs=s3://arkiv-backup/repo?endpoint=https://storage.googleapis.com\n"
      "          arkiv rebalance --policy ec:2+2\n"
      "The change is recorded in the repository as pending; backups and restores keep using the current\n"
      "clouds until `arkiv rebalance` has written everything the new cloud must hold. Needs an exclusive lock.");
  add->add_option("cloud", opts->spec, "NAME=URL of the new cloud (credentials come from the environment)")->required();
  add->add_option("--read-cost", opts->read_cost, "Relative cost of reading from it (lower is read first)")
      ->check(CLI::NonNegativeNumber);
  add->callback([&global, &exit_code, opts] {
    exit_code = RunCommand(global, [&]() -> Result<int> {
      ASSIGN_OR_RETURN(auto spec, placement::ParseCloudArgument(opts->spec));
      spec.read_cost = opts->read_cost;
      return StageChange(
          global,
          [&](placement::CloudSet& set, repo::Repository&) -> Status {
            for (const auto& c : set.pending->clouds) {
              if (c.name == spec.name)
                return Fail(Code::kInvalidArgument, fmt::format("cloud '{}' is already in the set", c.name));
              if (c.url == spec.url) {
                return Fail(Code::kInvalidArgument, fmt::format("cloud '{}' already has that URL", c.name));
              }
            }
            // Opening checks the URL and that credentials for it are there
            // (it does not contact the cloud).
            if (auto store = CloudStoreOpener(global)(spec); !store) {
              return Fail(store.error().Context(fmt::format("cloud {}", spec.name)));
            }
            set.pending->clouds.push_back(spec);
            return OkStatus();
          },
          fmt::format("cloud {} added", spec.name));
    });
  });

  CLI::App* remove = cloud.add_subcommand("remove", "Stage the removal of a cloud; `arkiv rebalance` carries it out");
  remove->footer(
      "Example:  arkiv cloud remove azure && arkiv rebalance --policy ec:2+1\n"
      "Nothing is read from or written to the cloud until `arkiv rebalance`, which first places everything on\n"
      "the clouds that stay (in the new policy), then switches, then removes the old layout from the clouds\n"
      "that stay. The removed cloud's objects are left in place: delete its bucket yourself when you want.\n"
      "A cloud that is lost can be removed too: rebalance reads from the others.");
  remove->add_option("name", opts->name, "Name of the cloud")->required();
  remove->callback([&global, &exit_code, opts] {
    exit_code = RunCommand(global, [&]() -> Result<int> {
      return StageChange(
          global,
          [&](placement::CloudSet& set, repo::Repository&) -> Status {
            auto& clouds = set.pending->clouds;
            auto it = std::find_if(clouds.begin(), clouds.end(), [&](const auto& c) { return c.name == opts->name; });
            if (it == clouds.end()) {
              return Fail(Code::kInvalidArgument,
                          fmt::format("no cloud named '{}' (clouds: {})", opts->name, placement::CloudNames(clouds)));
            }
            if (clouds.size() == 1) return Fail(Code::kInvalidArgument, "the last cloud cannot be removed");
            clouds.erase(it);
            return OkStatus();
          },
          fmt::format("cloud {} removed", opts->name));
    });
  });
}

}  // namespace arkiv::cli
