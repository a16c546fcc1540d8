// arkiv diff: what changed between two snapshots.
#include "engine/diff.h"

#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"

namespace arkiv::cli {

void AddDiffCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  struct Options {
    std::string before, after;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("diff",
                                     "Show files added (+), removed (-), modified (M), with new metadata (U) "
                                     "or of another type (T) between two snapshots");
  cmd->add_option("snapshot1", opts->before, "The earlier snapshot")->required();
  cmd->add_option("snapshot2", opts->after, "The later snapshot")->required();
  cmd->callback([&global, &exit_code, opts] {
    exit_code = RunCommand(global, [&]() -> Result<int> {
      ASSIGN_OR_RETURN(auto repo, OpenRepository(global));
      RETURN_IF_ERROR(repo->LoadIndex());
      ASSIGN_OR_RETURN(auto a, repo->FindSnapshot(opts->before));
      ASSIGN_OR_RETURN(auto b, repo->FindSnapshot(opts->after));
      ASSIGN_OR_RETURN(auto changes, engine::DiffTrees(*repo, a.snapshot.tree, b.snapshot.tree));
      size_t counts[256] = {};
      auto count = [&](char kind) -> size_t& { return counts[static_cast<unsigned char>(kind)]; };
      for (const auto& c : changes) {
        count(c.kind)++;
        if (global.json) {
          nlohmann::json j{{"change", std::string(1, c.kind)}, {"path", "/" + c.path}};
          std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        } else {
          std::cout << c.kind << "    /" << c.path << "\n";
        }
      }
      if (!global.json && !global.quiet) {
        std::cout << fmt::format("\n{} added, {} removed, {} modified, {} metadata only, {} type changed\n",
                                 count('+'), count('-'), count('M'), count('U'), count('T'));
      }
      return kExitOk;
    });
  });
}

}  // namespace arkiv::cli
