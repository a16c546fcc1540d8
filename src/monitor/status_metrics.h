// `arkiv status --prometheus` and `arkiv serve`'s /metrics: the facts and
// the verdict of health.h as Prometheus metrics (names and units by the
// Prometheus conventions: seconds, bytes, _total for counters):
//
//   arkiv_status 1                                   0 OK, 1 WARNING, 2 CRITICAL
//   arkiv_cloud_up{cloud="aws"} 1
//   arkiv_cloud_probe_latency_seconds{cloud="aws",quantile="0.95"} 0.012
//   arkiv_cloud_stored_bytes{cloud="aws"} 1.2e9     (and _objects)
//   arkiv_cloud_repair_debt_objects{cloud="aws"} 0
//   arkiv_repair_debt_objects 0
//   arkiv_last_backup_timestamp_seconds{host="h",source="h:/srv"} 1.79e9
//   arkiv_backup_age_seconds / arkiv_rpo_seconds / arkiv_backup_size_bytes /
//   arkiv_backup_duration_seconds / arkiv_snapshots   (same labels)
//   arkiv_last_job_timestamp_seconds{job="check",host="h"}   (and _success, _duration_seconds)
#pragma once

#include <string>

#include "monitor/health.h"

namespace arkiv::monitor {

std::string StatusMetricsText(const StatusInput& input, const StatusReport& report);

}  // namespace arkiv::monitor
