// Gathers the facts `arkiv status` and `arkiv serve` judge (health.h):
// probes every cloud (a few small timed reads, recorded in the history),
// lists what each holds, reads the repair debt, groups the snapshots into
// sources, and reads the job summaries from the repository.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "core/status.h"
#include "monitor/health.h"
#include "monitor/history.h"
#include "repo/repository.h"

namespace arkiv::monitor {

struct GatherOptions {
  int64_t now_ns = 0;
  double rpo_s = 24 * 3600.0;                  // for every source, unless:
  std::map<std::string, double> source_rpo_s;  // by SourceState::Label()
  bool list = true;                            // list the clouds (stored bytes and objects)
  History* history = nullptr;                  // probes are recorded here, recent errors read from here
};

Result<StatusInput> GatherStatus(repo::Repository& repo, const GatherOptions& options);

// The facts and the verdict as one JSON object (`status --json`, serve's /api/status).
nlohmann::json StatusJson(const StatusInput& input, const StatusReport& report);

}  // namespace arkiv::monitor
