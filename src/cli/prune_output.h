// Prints a prune report (shared by `prune` and `forget --prune`).
#pragma once

#include "cli/global_options.h"
#include "engine/prune.h"

namespace arkiv::cli {

void PrintPruneReport(const GlobalOptions& global, const engine::PruneReport& report, bool dry_run);

}  // namespace arkiv::cli
