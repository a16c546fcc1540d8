#include "monitor/health.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace arkiv::monitor {

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kOk: return "OK";
    case Verdict::kWarning: return "WARNING";
    case Verdict::kCritical: return "CRITICAL";
  }
  return "UNKNOWN";
}

std::string SourceState::Label() const {
  std::string out = host + ":";
  for (size_t i = 0; i < paths.size(); ++i) out += (i ? "," : "") + paths[i];
  return out;
}

std::string HumanAge(double seconds) {
  if (!(seconds >= 0)) seconds = 0;
  auto s = static_cast<uint64_t>(std::llround(seconds));
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m", s / 60);
  if (s < 86400) return fmt::format("{}h {}m", s / 3600, s % 3600 / 60);
  return fmt::format("{}d {}h", s / 86400, s % 86400 / 3600);
}

StatusReport Evaluate(const StatusInput& in) {
  StatusReport report;
  auto add = [&](Verdict level, std::string message) { report.findings.push_back({level, std::move(message)}); };
  double now = static_cast<double>(in.now_ns) / 1e9;

  // Clouds: can we restore, can we back up, what is degraded.
  size_t up = 0;
  for (const auto& c : in.clouds) up += c.up;
  for (const auto& c : in.clouds) {
    if (!c.up) add(Verdict::kWarning, fmt::format("cloud {} does not answer: {}", c.name, c.error));
  }
  if (!in.clouds.empty()) {
    if (up < in.clouds_needed) {
      add(Verdict::kCritical, fmt::format("restore impossible now: {} of {} clouds answer, {} needed", up,
                                          in.clouds.size(), in.clouds_needed));
    } else if (up < in.write_quorum) {
      add(Verdict::kCritical, fmt::format("backups fail now: {} of {} clouds answer, the write quorum is {}", up,
                                          in.clouds.size(), in.write_quorum));
    } else if (up < in.clouds.size() && up == in.clouds_needed) {
      add(Verdict::kWarning, "one more cloud lost would make restores impossible");
    }
  }
  if (in.debt_objects > 0) {
    add(Verdict::kWarning,
        fmt::format("{} placements missed while clouds were out (repair debt): run `arkiv repair`", in.debt_objects));
  }

  // Backups against their recovery point objective.
  if (in.sources.empty()) add(Verdict::kWarning, "no snapshots yet");
  for (const auto& s : in.sources) {
    double age = now - static_cast<double>(s.latest_ns) / 1e9;
    if (age > s.rpo_s) {
      add(Verdict::kCritical, fmt::format("{}: newest snapshot is {} old, beyond the RPO of {}", s.Label(),
                                          HumanAge(age), HumanAge(s.rpo_s)));
    } else if (age > 0.8 * s.rpo_s) {
      add(Verdict::kWarning, fmt::format("{}: newest snapshot is {} old, close to the RPO of {}", s.Label(),
                                         HumanAge(age), HumanAge(s.rpo_s)));
    }
  }

  // Jobs: the newest check and drill of any host.
  auto newest = [&](std::string_view kind) -> const JobState* {
    const JobState* best = nullptr;
    for (const auto& j : in.jobs) {
      if (j.kind == kind && (!best || j.time_ns > best->time_ns)) best = &j;
    }
    return best;
  };
  if (const JobState* check = newest("check")) {
    double age = now - static_cast<double>(check->time_ns) / 1e9;
    if (!check->ok) {
      add(Verdict::kCritical, fmt::format("the last check ({} ago on {}) found problems", HumanAge(age), check->host));
    } else if (age > in.check_max_age_s) {
      add(Verdict::kWarning, fmt::format("the last check was {} ago", HumanAge(age)));
    }
  } else {
    add(Verdict::kWarning, "never checked: run `arkiv check`");
  }
  if (const JobState* drill = newest("drill")) {
    double age = now - static_cast<double>(drill->time_ns) / 1e9;
    if (!drill->ok) {
      add(Verdict::kCritical, fmt::format("the last DR drill ({} ago on {}) failed", HumanAge(age), drill->host));
    } else if (age > in.drill_max_age_s) {
      add(Verdict::kWarning, fmt::format("the last DR drill was {} ago", HumanAge(age)));
    }
  } else if (!in.policy.empty()) {
    add(Verdict::kWarning, "no DR drill yet: run `arkiv drill`");
  }
  if (const JobState* repair = newest("repair"); repair && !repair->ok) {
    add(Verdict::kWarning, fmt::format("the last repair on {} did not complete", repair->host));
  }

  std::stable_sort(report.findings.begin(), report.findings.end(),
                   [](const Finding& a, const Finding& b) { return a.level > b.level; });
  for (const auto& f : report.findings) report.verdict = std::max(report.verdict, f.level);
  return report;
}

}  // namespace arkiv::monitor
