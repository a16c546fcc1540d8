// arkiv unlock: remove stale locks.
#include <fmt/format.h>

#include <iostream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "repo/lock.h"

namespace arkiv::cli {

void AddUnlockCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  auto all = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("unlock",
                                     "Remove stale locks (of dead processes on this host, or not "
                                     "refreshed for 30 minutes)");
  cmd->add_flag("--remove-all", *all, "Remove every lock, even live ones (only when you know no arkiv runs)");
  cmd->callback([&global, &exit_code, all] {
    exit_code = RunCommand(global, [&]() -> Result<int> {
      ASSIGN_OR_RETURN(auto repo, OpenRepository(global));
      ASSIGN_OR_RETURN(size_t removed, repo::RemoveLocks(*repo, *all));
      if (!global.quiet) std::cout << fmt::format("removed {} lock{}\n", removed, removed == 1 ? "" : "s");
      return kExitOk;
    });
  });
}

}  // namespace arkiv::cli
