// Notifications (design.md §22): the operator's command (`--notify-command`,
// ARKIV_NOTIFY_COMMAND or the config's notify_command) is run through
// /bin/sh with one JSON event on stdin — when a backup fails or degrades, a
// cloud goes down or comes back, a source's RPO is breached or met again, or
// a drill fails:
//
//   {"event": "cloud_down", "time": "2026-11-27T21:30:00Z", "host": "db1",
//    "repository": "3f9a…", "cloud": "azure", "message": "cloud azure does not answer: …"}
//
// States (a cloud up or down, an RPO met or not) are told once per change:
// the history keeps the last state told. A command that fails or hangs
// (30 s) is warned about; it never fails arkiv's own command.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "monitor/health.h"
#include "monitor/history.h"

namespace arkiv::monitor {

class Notifier {
 public:
  // An empty `command` sends nothing. `history` may be null (states are then
  // told whenever they are bad).
  Notifier(std::string command, std::string repository_id, std::string host, History* history);

  // Sends `event` with `fields` (and time, host, repository) now.
  void Send(std::string_view event, nlohmann::json fields);
  // Sends `bad_event` when `key` turns bad (or is first seen bad) and
  // `good_event` when it turns good again; nothing while it stays the same.
  void OnState(std::string_view key, bool bad, std::string_view bad_event, std::string_view good_event,
               nlohmann::json fields);

 private:
  std::string command_;
  std::string repository_id_;
  std::string host_;
  History* history_;
};

// The state changes `status` and `serve` see: clouds going down or coming
// back, sources breaching or meeting their RPO.
void NotifyChanges(Notifier& notifier, const StatusInput& input);

// Runs `command` through /bin/sh with `input` on stdin, `event` in
// $ARKIV_EVENT; kUnavailable naming the exit status or the timeout.
Status RunNotifyCommand(const std::string& command, std::string_view event, const std::string& input,
                        int timeout_seconds = 30);

}  // namespace arkiv::monitor
