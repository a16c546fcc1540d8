// What commands leave behind for `arkiv status` (design.md §22): an event in
// this machine's history database and, for check, repair and drill, the
// newest result per host in the repository. Best effort: a command never
// fails because its record could not be written (it warns).
#pragma once

#include <string>
#include <string_view>

#include "cli/global_options.h"
#include "monitor/history.h"
#include "repo/repository.h"

namespace arkiv::cli {

// --notify-command / ARKIV_NOTIFY_COMMAND, else the config's notify_command;
// "" when none is set.
std::string NotifyCommand(const GlobalOptions& options);

// This host's name, as snapshots record it.
std::string HostName();

// Nanoseconds since the epoch, now.
int64_t NowNs();

// Records `event` (time and kind set by the caller) in the repository's
// local history; also publishes a job summary in the repository when
// `publish` is set.
void RecordJob(repo::Repository& repo, const GlobalOptions& options, const monitor::HistoryEvent& event, bool publish);

}  // namespace arkiv::cli
