#include "monitor/status_gather.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "engine/clouds.h"
#include "monitor/job_summary.h"
#include "placement/repair_debt.h"

namespace arkiv::monitor {
namespace {

constexpr int kProbes = 3;
// Snapshots per source whose size and time are kept: a timeline of a few
// days of hourly backups.
constexpr size_t kNewestSnapshots = 100;

// A few small reads of `config` (every cloud holds it), timed.
CloudState Probe(std::string name, storage::Store& store, History* history, int64_t now_ns) {
  CloudState state;
  state.name = std::move(name);
  std::vector<double> ms;
  for (int i = 0; i < kProbes; ++i) {
    auto start = std::chrono::steady_clock::now();
    auto info = store.Stat("config");
    double took = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (history) {
      (void)history->Record({now_ns, "probe", state.name, info.has_value(), took / 1000, 0,
                             info ? "" : nlohmann::json{{"error", info.error().message()}}.dump()});
    }
    if (!info) {
      state.error = info.error().message();
      break;
    }
    ms.push_back(took);
  }
  state.up = ms.size() == kProbes;
  if (!ms.empty()) {
    std::sort(ms.begin(), ms.end());
    state.p50_ms = ms[ms.size() / 2];
    state.p95_ms = ms.back();
  }
  return state;
}

// Objects and bytes on the cloud; repair records' entries per cloud.
void ListCloud(storage::Store& store, CloudState& state, std::vector<std::string>& records) {
  uint64_t objects = 0, bytes = 0;
  Status st = store.List("", [&](const storage::ObjectInfo& info) {
    objects++;
    bytes += info.size;
    if (info.name.starts_with(placement::kRepairPrefix)) records.push_back(info.name);
    return OkStatus();
  });
  if (st) {
    state.listed = true;
    state.objects = objects;
    state.bytes = bytes;
  }
}

std::optional<DrillDetail> DrillDetailOf(const JobSummary& job) {
  if (job.kind != "drill" || job.detail.empty()) return std::nullopt;
  // Recorded by another version or damaged: the job is still shown, without details.
  auto j = nlohmann::json::parse(job.detail, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  try {
    DrillDetail d;
    d.without = j.value("without", std::vector<std::string>{});
    d.files_selected = j.value("files_selected", uint64_t{0});
    d.files_verified = j.value("files_verified", uint64_t{0});
    d.bytes_restored = j.value("bytes_restored", uint64_t{0});
    d.cost_usd = j.value("cost_usd", 0.0);
    if (auto e = j.find("estimate"); e != j.end() && e->is_object()) d.estimate_seconds = e->value("seconds", 0.0);
    return d;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

}  // namespace

Result<StatusInput> GatherStatus(repo::Repository& repo, const GatherOptions& options) {
  StatusInput in;
  in.now_ns = options.now_ns;
  std::vector<std::string> records;
  auto placement = engine::PlacementOf(repo);
  if (placement) {
    in.policy = placement->policy().ToString();
    in.clouds_needed = placement->policy().erasure() ? static_cast<size_t>(placement->policy().k) : 1;
    in.write_quorum = static_cast<size_t>(placement->write_quorum());
    for (const auto& cloud : placement->clouds()) {
      in.clouds.push_back(Probe(cloud.name, *cloud.store, options.history, options.now_ns));
      if (options.list && in.clouds.back().up) ListCloud(*cloud.store, in.clouds.back(), records);
    }
  } else {
    in.clouds.push_back(Probe("repository", repo.store(), options.history, options.now_ns));
    if (options.list && in.clouds.back().up) ListCloud(repo.store(), in.clouds.back(), records);
  }
  if (options.history) {
    // Probes are many (serve probes every minute); a month of them is kept.
    constexpr int64_t kDayNs = int64_t{24} * 3600 * 1000000000;
    (void)options.history->ForgetProbesBefore(in.now_ns - 31 * kDayNs);
    for (auto& c : in.clouds) {
      auto recent = options.history->Recent("probe", c.name, in.now_ns - kDayNs, 100000);
      if (recent) c.recent_errors = std::count_if(recent->begin(), recent->end(), [](auto& e) { return !e.ok; });
    }
  }
  // Repair debt: entries of the records, each once.
  std::sort(records.begin(), records.end());
  records.erase(std::unique(records.begin(), records.end()), records.end());
  std::set<placement::DebtEntry> debt;
  for (const auto& name : records) {
    auto bytes = repo.store().Get(name);
    auto record = bytes ? placement::DebtRecord::Parse(*bytes) : Fail(bytes.error());
    if (record) debt.insert(record->entries.begin(), record->entries.end());
  }
  in.debt_objects = debt.size();
  for (const auto& d : debt) {
    for (auto& c : in.clouds) c.debt += c.name == d.cloud;
  }
  // Sources: snapshots grouped by host and paths.
  ASSIGN_OR_RETURN(auto snapshots, repo.LoadSnapshots());
  std::sort(snapshots.begin(), snapshots.end(),
            [](const auto& a, const auto& b) { return a.snapshot.time_ns < b.snapshot.time_ns; });
  std::map<std::pair<std::string, std::vector<std::string>>, SourceState> sources;
  for (const auto& rec : snapshots) {
    auto paths = rec.snapshot.paths;
    std::sort(paths.begin(), paths.end());
    auto& s = sources[{rec.snapshot.host, paths}];
    s.host = rec.snapshot.host;
    s.paths = paths;
    s.latest_ns = rec.snapshot.time_ns;
    s.snapshots++;
    s.sizes.push_back(rec.snapshot.summary.bytes_total);
    s.times_ns.push_back(rec.snapshot.time_ns);
    if (s.sizes.size() > kNewestSnapshots) {
      s.sizes.erase(s.sizes.begin());
      s.times_ns.erase(s.times_ns.begin());
    }
    s.last_duration_s = rec.snapshot.summary.duration_seconds;
    s.rpo_s = options.rpo_s;
  }
  for (auto& [key, s] : sources) {
    if (auto it = options.source_rpo_s.find(s.Label()); it != options.source_rpo_s.end()) s.rpo_s = it->second;
    in.sources.push_back(std::move(s));
  }
  ASSIGN_OR_RETURN(auto jobs, LoadJobSummaries(repo));
  for (const auto& j : jobs) in.jobs.push_back({j.kind, j.host, j.time_ns, j.ok, j.seconds, DrillDetailOf(j)});

  return in;
}

nlohmann::json StatusJson(const StatusInput& in, const StatusReport& report) {
  nlohmann::json clouds = nlohmann::json::array();
  for (const auto& c : in.clouds) {
    nlohmann::json j{{"name", c.name},
                     {"up", c.up},
                     {"latency_p50_ms", c.p50_ms},
                     {"latency_p95_ms", c.p95_ms},
                     {"repair_debt", c.debt},
                     {"recent_errors", c.recent_errors}};
    if (!c.up) j["error"] = c.error;
    if (c.listed) {
      j["objects"] = c.objects;
      j["bytes"] = c.bytes;
    }
    clouds.push_back(j);
  }
  nlohmann::json sources_json = nlohmann::json::array();
  for (const auto& s : in.sources) {
    sources_json.push_back({{"host", s.host},
                            {"paths", s.paths},
                            {"snapshots", s.snapshots},
                            {"latest_ns", s.latest_ns},
                            {"age_seconds", static_cast<double>(in.now_ns - s.latest_ns) / 1e9},
                            {"rpo_seconds", s.rpo_s},
                            {"sizes", s.sizes},
                            {"times_ns", s.times_ns},
                            {"last_duration_seconds", s.last_duration_s}});
  }
  nlohmann::json jobs_json = nlohmann::json::array();
  for (const auto& j : in.jobs) {
    nlohmann::json job{
        {"kind", j.kind}, {"host", j.host}, {"time_ns", j.time_ns}, {"ok", j.ok}, {"seconds", j.seconds}};
    if (j.drill) {
      job["drill"] = {{"without", j.drill->without},
                      {"files_selected", j.drill->files_selected},
                      {"files_verified", j.drill->files_verified},
                      {"bytes_restored", j.drill->bytes_restored},
                      {"cost_usd", j.drill->cost_usd},
                      {"estimate_seconds", j.drill->estimate_seconds ? nlohmann::json(*j.drill->estimate_seconds)
                                                                     : nlohmann::json(nullptr)}};
    }
    jobs_json.push_back(std::move(job));
  }
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : report.findings) {
    findings.push_back({{"level", VerdictName(f.level)}, {"message", f.message}});
  }
  return nlohmann::json{{"message_type", "status"}, {"verdict", VerdictName(report.verdict)},
                        {"policy", in.policy},      {"repair_debt", in.debt_objects},
                        {"findings", findings},     {"clouds", clouds},
                        {"sources", sources_json},  {"jobs", jobs_json}};
}

}  // namespace arkiv::monitor
