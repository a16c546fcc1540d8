#include "monitor/status_metrics.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/prometheus_writer.h"

namespace arkiv::monitor {
namespace {

std::string CloudLabel(const CloudState& c) {
  return fmt::format("cloud=\"{}\"", PrometheusLabelValue(c.name));
}

std::string SourceLabels(const SourceState& s) {
  return fmt::format("host=\"{}\",source=\"{}\"", PrometheusLabelValue(s.host), PrometheusLabelValue(s.Label()));
}

std::string JobLabels(const JobState& j) {
  return fmt::format("job=\"{}\",host=\"{}\"", PrometheusLabelValue(j.kind), PrometheusLabelValue(j.host));
}

double Seconds(int64_t ns) {
  return static_cast<double>(ns) / 1e9;
}

}  // namespace

std::string StatusMetricsText(const StatusInput& in, const StatusReport& report) {
  PrometheusWriter w;
  w.Family("arkiv_status", "gauge", "Health verdict of arkiv status: 0 OK, 1 WARNING, 2 CRITICAL.");
  w.Sample("arkiv_status", "", static_cast<int>(report.verdict));
  if (!in.clouds.empty()) {
    w.Family("arkiv_cloud_up", "gauge", "1 when the cloud answered the last probe.");
    for (const auto& c : in.clouds) w.Sample("arkiv_cloud_up", CloudLabel(c), c.up ? 1 : 0);
    w.Family("arkiv_cloud_probe_latency_seconds", "gauge", "Latency of small probe requests to the cloud.");
    for (const auto& c : in.clouds) {
      if (!c.up) continue;
      w.Sample("arkiv_cloud_probe_latency_seconds", CloudLabel(c) + ",quantile=\"0.5\"", c.p50_ms / 1000);
      w.Sample("arkiv_cloud_probe_latency_seconds", CloudLabel(c) + ",quantile=\"0.95\"", c.p95_ms / 1000);
    }
    w.Family("arkiv_cloud_probe_errors_recent", "gauge", "Failed probes of the cloud in the last 24 hours.");
    for (const auto& c : in.clouds) w.Sample("arkiv_cloud_probe_errors_recent", CloudLabel(c), c.recent_errors);
    w.Family("arkiv_cloud_stored_bytes", "gauge", "Bytes of the repository's objects on the cloud.");
    for (const auto& c : in.clouds) {
      if (c.listed) w.Sample("arkiv_cloud_stored_bytes", CloudLabel(c), c.bytes);
    }
    w.Family("arkiv_cloud_stored_objects", "gauge", "Objects of the repository on the cloud.");
    for (const auto& c : in.clouds) {
      if (c.listed) w.Sample("arkiv_cloud_stored_objects", CloudLabel(c), c.objects);
    }
    w.Family("arkiv_cloud_repair_debt_objects", "gauge", "Placements the cloud missed, recorded as repair debt.");
    for (const auto& c : in.clouds) w.Sample("arkiv_cloud_repair_debt_objects", CloudLabel(c), c.debt);
  }
  w.Family("arkiv_repair_debt_objects", "gauge", "Placements missed while clouds were out, not yet repaired.");
  w.Sample("arkiv_repair_debt_objects", "", in.debt_objects);
  double now = Seconds(in.now_ns);
  w.Family("arkiv_last_backup_timestamp_seconds", "gauge", "Time of the newest snapshot of the source.");
  for (const auto& s : in.sources)
    w.Sample("arkiv_last_backup_timestamp_seconds", SourceLabels(s), Seconds(s.latest_ns));
  w.Family("arkiv_backup_age_seconds", "gauge", "Age of the newest snapshot of the source.");
  for (const auto& s : in.sources) w.Sample("arkiv_backup_age_seconds", SourceLabels(s), now - Seconds(s.latest_ns));
  w.Family("arkiv_rpo_seconds", "gauge", "Recovery point objective of the source.");
  for (const auto& s : in.sources) w.Sample("arkiv_rpo_seconds", SourceLabels(s), s.rpo_s);
  w.Family("arkiv_backup_size_bytes", "gauge", "Bytes of files in the newest snapshot of the source.");
  for (const auto& s : in.sources) {
    if (!s.sizes.empty()) w.Sample("arkiv_backup_size_bytes", SourceLabels(s), s.sizes.back());
  }
  w.Family("arkiv_backup_duration_seconds", "gauge", "Duration of the backup that made the newest snapshot.");
  for (const auto& s : in.sources) w.Sample("arkiv_backup_duration_seconds", SourceLabels(s), s.last_duration_s);
  w.Family("arkiv_snapshots", "gauge", "Snapshots of the source in the repository.");
  for (const auto& s : in.sources) w.Sample("arkiv_snapshots", SourceLabels(s), s.snapshots);
  w.Family("arkiv_last_job_timestamp_seconds", "gauge", "Time of the newest check, repair or drill, per host.");
  for (const auto& j : in.jobs) w.Sample("arkiv_last_job_timestamp_seconds", JobLabels(j), Seconds(j.time_ns));
  w.Family("arkiv_last_job_success", "gauge", "1 when the newest job of that kind succeeded.");
  for (const auto& j : in.jobs) w.Sample("arkiv_last_job_success", JobLabels(j), j.ok ? 1 : 0);
  w.Family("arkiv_last_job_duration_seconds", "gauge", "Duration of the newest job of that kind.");
  for (const auto& j : in.jobs) w.Sample("arkiv_last_job_duration_seconds", JobLabels(j), j.seconds);
  // The newest drill of each host, in detail: what it left out, what it
  // restored, and plan's estimate beside arkiv_last_job_duration_seconds.
  std::vector<const JobState*> drills;
  for (const auto& j : in.jobs) {
    if (j.drill) drills.push_back(&j);
  }
  if (!drills.empty()) {
    auto host = [](const JobState& j) { return fmt::format("host=\"{}\"", PrometheusLabelValue(j.host)); };
    w.Family("arkiv_last_drill_info", "gauge", "The clouds the newest drill of the host left out (1).");
    for (const JobState* j : drills) {
      w.Sample("arkiv_last_drill_info",
               fmt::format("{},without=\"{}\"", host(*j), PrometheusLabelValue(fmt::format("{}", fmt::join(j->drill->without, ",")))),
               1);
    }
    w.Family("arkiv_last_drill_files_verified", "gauge", "Files the newest drill restored and verified.");
    for (const JobState* j : drills) w.Sample("arkiv_last_drill_files_verified", host(*j), j->drill->files_verified);
    w.Family("arkiv_last_drill_files_selected", "gauge", "Files the newest drill set out to restore.");
    for (const JobState* j : drills) w.Sample("arkiv_last_drill_files_selected", host(*j), j->drill->files_selected);
    w.Family("arkiv_last_drill_restored_bytes", "gauge", "Bytes of files the newest drill restored.");
    for (const JobState* j : drills) w.Sample("arkiv_last_drill_restored_bytes", host(*j), j->drill->bytes_restored);
    w.Family("arkiv_last_drill_estimate_seconds", "gauge", "What plan estimated for the newest drill's restore.");
    for (const JobState* j : drills) {
      if (j->drill->estimate_seconds) {
        w.Sample("arkiv_last_drill_estimate_seconds", host(*j), *j->drill->estimate_seconds);
      }
    }
  }
  return w.Take();
}

}  // namespace arkiv::monitor
