// The newest result of each job (check, repair, drill) per host, sealed in
// the repository as `status/<sha256>` (design.md §22), so that `arkiv
// status` on any machine sees when the repository was last checked,
// repaired or drilled, and how that went — the local history database only
// knows this machine's runs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"
#include "repo/repository.h"

namespace arkiv::monitor {

struct JobSummary {
  std::string kind;  // "check", "repair", "drill"
  std::string host;
  int64_t time_ns = 0;
  bool ok = true;
  double seconds = 0;
  std::string detail;  // a JSON object, kind-specific

  Bytes Serialize() const;
  static Result<JobSummary> Parse(ByteView bytes);  // kDataLoss when malformed
};

// Writes `summary`, then removes the same host's older summaries of that
// kind (best effort: a leftover is only an older summary).
Status PublishJobSummary(repo::Repository& repo, const JobSummary& summary);

// The newest summary per (host, kind), newest first; damaged ones skipped.
Result<std::vector<JobSummary>> LoadJobSummaries(repo::Repository& repo);

}  // namespace arkiv::monitor
