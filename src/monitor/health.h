// The health verdict of `arkiv status` (design.md §22): from what was
// measured about the clouds, the backups and the jobs, OK / WARNING /
// CRITICAL with the reasons — exit 0 / 1 / 2, as monitoring systems
// (Nagios, Icinga, Zabbix agents) expect. A pure function: the CLI gathers
// the facts, this decides.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace arkiv::monitor {

enum class Verdict { kOk = 0, kWarning = 1, kCritical = 2 };
std::string_view VerdictName(Verdict verdict);  // "OK", "WARNING", "CRITICAL"

struct CloudState {
  std::string name;
  bool up = false;
  double p50_ms = 0;
  double p95_ms = 0;
  std::string error;    // why it is down
  bool listed = false;  // objects/bytes are known
  uint64_t objects = 0;
  uint64_t bytes = 0;
  uint64_t debt = 0;           // repair-debt entries naming this cloud
  uint64_t recent_errors = 0;  // failed probes in the last 24 h
};

// One backup source: a host and its set of paths.
struct SourceState {
  std::string host;
  std::vector<std::string> paths;
  int64_t latest_ns = 0;  // newest snapshot
  uint64_t snapshots = 0;
  std::vector<uint64_t> sizes;  // bytes in the newest snapshots, oldest first
  double last_duration_s = 0;
  double rpo_s = 24 * 3600.0;
  std::vector<int64_t> times_ns;  // times of the snapshots of `sizes` (serve's timeline)
  std::string Label() const;      // "host:/a,/b"
};

// What the newest drill of a host did (from its recorded JSON).
struct DrillDetail {
  std::vector<std::string> without;  // the clouds left out
  uint64_t files_selected = 0;
  uint64_t files_verified = 0;
  uint64_t bytes_restored = 0;
  double cost_usd = 0;
  std::optional<double> estimate_seconds;  // plan's estimate of the same restore
};

struct JobState {
  std::string kind;  // "check", "repair", "drill"
  std::string host;
  int64_t time_ns = 0;
  bool ok = true;
  double seconds = 0;
  std::optional<DrillDetail> drill;  // drills recorded with their details
};

struct StatusInput {
  int64_t now_ns = 0;
  std::string policy;        // "" for a single-store repository
  size_t clouds_needed = 1;  // to restore: K for ec, 1 for replicate
  size_t write_quorum = 1;
  std::vector<CloudState> clouds;
  std::vector<SourceState> sources;
  std::vector<JobState> jobs;  // newest per kind and host
  uint64_t debt_objects = 0;
  double check_max_age_s = 7 * 24 * 3600.0;
  double drill_max_age_s = 31 * 24 * 3600.0;
};

struct Finding {
  Verdict level = Verdict::kOk;
  std::string message;
};

struct StatusReport {
  Verdict verdict = Verdict::kOk;
  std::vector<Finding> findings;  // worst first
};

StatusReport Evaluate(const StatusInput& input);

// "3h 20m", "2d 4h": an age for people.
std::string HumanAge(double seconds);

}  // namespace arkiv::monitor
