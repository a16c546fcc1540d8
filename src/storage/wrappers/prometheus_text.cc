#include "storage/wrappers/prometheus_text.h"

#include "core/prometheus_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

namespace arkiv::storage {
namespace {

constexpr Operation kOperations[] = {Operation::kPut, Operation::kGet, Operation::kStat, Operation::kList,
                                     Operation::kRemove};

// "invalid argument" -> "invalid_argument": label values with no spaces
// are easier to select on.
std::string CodeLabel(Code code) {
  std::string label(CodeName(code));
  std::ranges::replace(label, ' ', '_');
  return label;
}

double Seconds(std::chrono::nanoseconds d) {
  return static_cast<double>(d.count()) / 1e9;
}

std::string Labels(const StoreMetricsSnapshot& store, Operation op) {
  return fmt::format("cloud=\"{}\",op=\"{}\"", PrometheusLabelValue(store.cloud), OperationName(op));
}

// Calls `fn(store, op, labels)` for every store and operation, in order.
void ForEachSeries(std::span<const StoreMetricsSnapshot> stores,
                   const std::function<void(const OperationMetrics&, Operation, const std::string&)>& fn) {
  for (const auto& store : stores) {
    for (Operation op : kOperations) fn(store[op], op, Labels(store, op));
  }
}

}  // namespace

std::string PrometheusText(std::span<const StoreMetricsSnapshot> stores) {
  PrometheusWriter w;
  w.Family("arkiv_store_requests_total", "counter", "Calls made to the store; every attempt of a retried call.");
  ForEachSeries(stores, [&](const OperationMetrics& m, Operation, const std::string& labels) {
    w.Sample("arkiv_store_requests_total", labels, m.requests);
  });

  w.Family("arkiv_store_errors_total", "counter", "Calls to the store that failed, by error code.");
  ForEachSeries(stores, [&](const OperationMetrics& m, Operation, const std::string& labels) {
    for (const auto& [code, count] : m.errors) {
      w.Sample("arkiv_store_errors_total", fmt::format("{},code=\"{}\"", labels, CodeLabel(code)), count);
    }
  });

  w.Family("arkiv_store_uploaded_bytes_total", "counter", "Bytes written by successful puts.");
  ForEachSeries(stores, [&](const OperationMetrics& m, Operation op, const std::string& labels) {
    if (op == Operation::kPut) w.Sample("arkiv_store_uploaded_bytes_total", labels, m.bytes_up);
  });
  w.Family("arkiv_store_downloaded_bytes_total", "counter", "Bytes returned by successful gets.");
  ForEachSeries(stores, [&](const OperationMetrics& m, Operation op, const std::string& labels) {
    if (op == Operation::kGet) w.Sample("arkiv_store_downloaded_bytes_total", labels, m.bytes_down);
  });

  constexpr std::string_view kDuration = "arkiv_store_request_duration_seconds";
  w.Family(kDuration, "histogram", "Time the calls to the store took, failed ones included.");
  ForEachSeries(stores, [&](const OperationMetrics& m, Operation, const std::string& labels) {
    std::string bucket = fmt::format("{}_bucket", kDuration);
    for (size_t b = 0; b < kLatencyBucketBounds.size(); ++b) {
      w.Sample(bucket, fmt::format("{},le=\"{}\"", labels, Seconds(kLatencyBucketBounds[b])), m.latency_buckets[b]);
    }
    w.Sample(bucket, fmt::format("{},le=\"+Inf\"", labels), m.latency_buckets.back());
    w.Sample(fmt::format("{}_sum", kDuration), labels, Seconds(m.latency_sum));
    w.Sample(fmt::format("{}_count", kDuration), labels, m.latency_buckets.back());
  });
  return w.Take();
}

}  // namespace arkiv::storage
