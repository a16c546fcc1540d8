// Prune options and report shared by `prune` and `forget --prune`.
#pragma once

#include <string>

#include "cli/global_options.h"
#include "engine/prune.h"

namespace arkiv::cli {

// "--safety-window 1h" → nanoseconds; kInvalidArgument naming the option.
Result<int64_t> ParseSafetyWindow(const std::string& text);

inline constexpr const char* kSafetyWindowHelp =
    "Delete marked packs only this long after marking them (e.g. 1h, 90m; default 1h). Backups running beside "
    "prune need it longer than their 45-minute lease plus the clock skew between hosts; 0 deletes at once and "
    "is safe only when no backup runs meanwhile";

void PrintPruneReport(const GlobalOptions& global, const engine::PruneReport& report, bool dry_run);

}  // namespace arkiv::cli
