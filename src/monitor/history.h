// The local history of one repository as seen from this machine
// (design.md §22): cloud probes, backups (the failed ones too, which leave
// no snapshot), checks, repairs and drills — what `status` and `serve` show
// over time. An SQLite database under the cache directory; losing it loses
// history only, never data (the repository holds summaries too, see
// job_summary.h).
//
// Thread safety: one History per thread; several processes may write the
// same database at once (WAL, busy timeout).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

struct sqlite3;

namespace arkiv::monitor {

struct HistoryEvent {
  int64_t time_ns = 0;
  std::string kind;     // "probe", "backup", "check", "repair", "drill", …
  std::string subject;  // the cloud of a probe, the source of a backup; "" otherwise
  bool ok = true;
  double seconds = 0;  // a probe's latency, a job's duration
  uint64_t bytes = 0;
  std::string detail;  // JSON text, kind-specific
};

class History {
 public:
  // Opens (creating the file, its directories and the schema) the database
  // at `path`. kFailedPrecondition for a database of a newer schema.
  static Result<std::unique_ptr<History>> Open(const std::string& path);
  ~History();
  History(const History&) = delete;
  History& operator=(const History&) = delete;

  Status Record(const HistoryEvent& event);
  // Events of `kind` (and `subject`, unless empty) at or after `since_ns`,
  // newest first, at most `limit`.
  Result<std::vector<HistoryEvent>> Recent(std::string_view kind, std::string_view subject, int64_t since_ns,
                                           size_t limit) const;
  Result<std::optional<HistoryEvent>> Latest(std::string_view kind, std::string_view subject = {}) const;
  // Drops probes older than `before_ns` (jobs are kept: they are few).
  Status ForgetProbesBefore(int64_t before_ns);

  const std::string& path() const { return path_; }

 private:
  History(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
};

// Where the history of repository `repo_id` lives: $ARKIV_CACHE_DIR, else
// $XDG_CACHE_HOME/arkiv, else ~/.cache/arkiv; then <repo_id>/history.sqlite.
std::string DefaultHistoryPath(std::string_view repo_id);

}  // namespace arkiv::monitor
