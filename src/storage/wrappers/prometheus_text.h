// Renders store metrics in the Prometheus text exposition format (version
// 0.0.4), one family after the other, each with its HELP and TYPE lines and
// one series per store and operation, labelled cloud="NAME" and op="put":
//
//   arkiv_store_requests_total{cloud="aws",op="put"} 12
//   arkiv_store_errors_total{cloud="aws",op="put",code="unavailable"} 2
//   arkiv_store_uploaded_bytes_total{cloud="aws",op="put"} 52428800
//   arkiv_store_downloaded_bytes_total{cloud="aws",op="get"} 1048576
//   arkiv_store_request_duration_seconds_bucket{cloud="aws",op="put",le="0.005"} 3
//   ... le="+Inf", then _sum (seconds) and _count
//
// Requests and latencies appear for every operation, zeros included, so
// that series do not come and go; errors only for codes seen; bytes only
// for the operations that move them (uploaded: put, downloaded: get).
#pragma once

#include <span>
#include <string>

#include "core/prometheus_writer.h"  // PrometheusLabelValue
#include "storage/wrappers/store_metrics.h"

namespace arkiv::storage {

std::string PrometheusText(std::span<const StoreMetricsSnapshot> stores);

}  // namespace arkiv::storage
