// arkiv snapshots: list snapshots.
#include <fmt/format.h>

#include <iostream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/format.h"
#include "cli/snapshot_json.h"

namespace arkiv::cli {

void AddSnapshotsCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  struct Options {
    std::string host;
    std::vector<std::string> tags;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("snapshots", "List snapshots, oldest first");
  cmd->add_option("--host", opts->host, "Only snapshots of this host");
  cmd->add_option("--tag", opts->tags, "Only snapshots with this tag (repeatable: any of them)");
  cmd->callback([&global, &exit_code, opts] {
    exit_code = RunCommand(global, [&]() -> Result<int> {
      ASSIGN_OR_RETURN(auto repo, OpenRepository(global));
      ASSIGN_OR_RETURN(auto all, repo->LoadSnapshots());
      std::vector<repo::SnapshotRecord> shown;
      for (auto& r : all) {
        if (!opts->host.empty() && r.snapshot.host != opts->host) continue;
        if (!opts->tags.empty() && std::none_of(opts->tags.begin(), opts->tags.end(),
                                                [&](const std::string& t) { return r.snapshot.HasTag(t); })) {
          continue;
        }
        shown.push_back(std::move(r));
      }
      if (global.json) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& r : shown) list.push_back(SnapshotJson(r));
        std::cout << JsonText(list) << std::endl;
        return kExitOk;
      }
      std::cout << fmt::format("{:<10} {:<19} {:<16} {:<12} {:>10}  {}\n", "ID", "Time", "Host", "Tags", "Size",
                               "Paths");
      for (const auto& r : shown) {
        const auto& s = r.snapshot;
        std::string tags;
        for (const auto& t : s.tags) tags += (tags.empty() ? "" : ",") + t;
        std::string paths;
        for (const auto& p : s.paths) paths += (paths.empty() ? "" : " ") + p;
        std::cout << fmt::format("{:<10} {:<19} {:<16} {:<12} {:>10}  {}\n", r.id.Short(), LocalTime(s.time_ns), s.host,
                                 tags, HumanBytes(s.summary.bytes_total), paths);
      }
      std::cout << fmt::format("{} snapshots\n", shown.size());
      return kExitOk;
    });
  });
}

}  // namespace arkiv::cli
