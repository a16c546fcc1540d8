// One function per command, each in commands/<name>.cc, that adds the
// subcommand, its flags and its help to the app. A command stores its exit
// code in `exit_code` when it runs.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/global_options.h"

namespace arkiv::cli {

void AddInitCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
void AddBackupCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
void AddSnapshotsCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
void AddLsCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
void AddDiffCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
void AddCatCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
void AddRestoreCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
void AddCheckCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
void AddForgetCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
void AddPruneCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
void AddUnlockCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
void AddKeyCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
void AddCloudCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
void AddRepairCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
void AddRebalanceCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
void AddStatusCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
void AddDrillCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
void AddPlanCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
void AddServeCommand(CLI::App& app, GlobalOptions& global, int& exit_code);
// `cloud add` and `cloud remove`, under the `cloud` command.
void AddCloudChangeCommands(CLI::App& cloud, GlobalOptions& global, int& exit_code);

}  // namespace arkiv::cli
