#include "monitor/history.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>

namespace arkiv::monitor {
namespace {

constexpr int kSchemaVersion = 1;

Error SqlError(sqlite3* db, std::string_view what) {
  return Error(Code::kInternal, fmt::format("history database: {}: {}", what, sqlite3_errmsg(db)));
}

// A prepared statement, finalized on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) { ok_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) == SQLITE_OK; }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  bool ok() const { return ok_; }
  sqlite3_stmt* get() { return stmt_; }
  void Bind(int i, std::string_view text) {
    // A default string_view has no data pointer, which SQLite takes as NULL.
    sqlite3_bind_text(stmt_, i, text.data() ? text.data() : "", static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void Bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void Bind(int i, double v) { sqlite3_bind_double(stmt_, i, v); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  bool ok_ = false;
};

std::string Text(sqlite3_stmt* s, int col) {
  const unsigned char* t = sqlite3_column_text(s, col);
  return t ? std::string(reinterpret_cast<const char*>(t)) : std::string();
}

}  // namespace

Result<std::unique_ptr<History>> History::Open(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  if (ec) return Fail(Code::kFailedPrecondition, fmt::format("history database {}: {}", path, ec.message()));
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) !=
      SQLITE_OK) {
    Error e(Code::kFailedPrecondition, fmt::format("history database {}: {}", path, db ? sqlite3_errmsg(db) : "open"));
    sqlite3_close(db);
    return Fail(e);
  }
  std::unique_ptr<History> history(new History(db, path));
  sqlite3_busy_timeout(db, 5000);
  const char* setup =
      "PRAGMA journal_mode=WAL;"
      "CREATE TABLE IF NOT EXISTS events ("
      "  time_ns INTEGER NOT NULL, kind TEXT NOT NULL, subject TEXT NOT NULL, ok INTEGER NOT NULL,"
      "  seconds REAL NOT NULL, bytes INTEGER NOT NULL, detail TEXT NOT NULL);"
      "CREATE INDEX IF NOT EXISTS events_by_kind ON events(kind, subject, time_ns);";
  if (sqlite3_exec(db, setup, nullptr, nullptr, nullptr) != SQLITE_OK) return Fail(SqlError(db, "create schema"));
  Statement version(db, "PRAGMA user_version");
  if (!version.ok() || sqlite3_step(version.get()) != SQLITE_ROW) return Fail(SqlError(db, "schema version"));
  int found = sqlite3_column_int(version.get(), 0);
  if (found > kSchemaVersion) {
    return Fail(Code::kFailedPrecondition,
                fmt::format("history database {} is of a newer arkiv (schema {}, this one knows {})", path, found,
                            kSchemaVersion));
  }
  if (found < kSchemaVersion) {
    std::string set = fmt::format("PRAGMA user_version={}", kSchemaVersion);
    if (sqlite3_exec(db, set.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
      return Fail(SqlError(db, "set schema version"));
    }
  }
  return history;
}

History::~History() {
  sqlite3_close(db_);
}

Status History::Record(const HistoryEvent& e) {
  Statement s(db_, "INSERT INTO events (time_ns, kind, subject, ok, seconds, bytes, detail) VALUES (?,?,?,?,?,?,?)");
  if (!s.ok()) return Fail(SqlError(db_, "prepare insert"));
  s.Bind(1, e.time_ns);
  s.Bind(2, e.kind);
  s.Bind(3, e.subject);
  s.Bind(4, int64_t{e.ok ? 1 : 0});
  s.Bind(5, e.seconds);
  s.Bind(6, static_cast<int64_t>(e.bytes));
  s.Bind(7, e.detail.empty() ? std::string_view("{}") : std::string_view(e.detail));
  if (sqlite3_step(s.get()) != SQLITE_DONE) return Fail(SqlError(db_, "insert"));
  return OkStatus();
}

Result<std::vector<HistoryEvent>> History::Recent(std::string_view kind, std::string_view subject, int64_t since_ns,
                                                  size_t limit) const {
  Statement s(db_,
              "SELECT time_ns, kind, subject, ok, seconds, bytes, detail FROM events "
              "WHERE kind = ?1 AND (?2 = '' OR subject = ?2) AND time_ns >= ?3 ORDER BY time_ns DESC LIMIT ?4");
  if (!s.ok()) return Fail(SqlError(db_, "prepare query"));
  s.Bind(1, kind);
  s.Bind(2, subject);
  s.Bind(3, since_ns);
  s.Bind(4, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  std::vector<HistoryEvent> out;
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    HistoryEvent e;
    e.time_ns = sqlite3_column_int64(s.get(), 0);
    e.kind = Text(s.get(), 1);
    e.subject = Text(s.get(), 2);
    e.ok = sqlite3_column_int(s.get(), 3) != 0;
    e.seconds = sqlite3_column_double(s.get(), 4);
    e.bytes = static_cast<uint64_t>(sqlite3_column_int64(s.get(), 5));
    e.detail = Text(s.get(), 6);
    out.push_back(std::move(e));
  }
  if (rc != SQLITE_DONE) return Fail(SqlError(db_, "query"));
  return out;
}

Result<std::optional<HistoryEvent>> History::Latest(std::string_view kind, std::string_view subject) const {
  ASSIGN_OR_RETURN(auto events, Recent(kind, subject, INT64_MIN, 1));
  if (events.empty()) return std::optional<HistoryEvent>();
  return std::optional<HistoryEvent>(std::move(events.front()));
}

Status History::ForgetProbesBefore(int64_t before_ns) {
  Statement s(db_, "DELETE FROM events WHERE kind = 'probe' AND time_ns < ?1");
  if (!s.ok()) return Fail(SqlError(db_, "prepare delete"));
  s.Bind(1, before_ns);
  if (sqlite3_step(s.get()) != SQLITE_DONE) return Fail(SqlError(db_, "delete"));
  return OkStatus();
}

std::string DefaultHistoryPath(std::string_view repo_id) {
  std::string base;
  if (const char* dir = std::getenv("ARKIV_CACHE_DIR"); dir && *dir) {
    base = dir;
  } else if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    base = std::string(xdg) + "/arkiv";
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    base = std::string(home) + "/.cache/arkiv";
  } else {
    base = "/tmp/arkiv-cache";
  }
  return fmt::format("{}/{}/history.sqlite", base, repo_id);
}

}  // namespace arkiv::monitor
