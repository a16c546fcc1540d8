#include "storage/wrappers/store_metrics.h"

#include <algorithm>

namespace arkiv::storage {

uint64_t OperationMetrics::error_count() const {
  uint64_t total = 0;
  for (const auto& [code, count] : errors) total += count;
  return total;
}

size_t LatencyBucket(std::chrono::nanoseconds latency) {
  // lower_bound: a call of exactly 5 ms is in the "le 0.005" bucket.
  return static_cast<size_t>(std::lower_bound(kLatencyBucketBounds.begin(), kLatencyBucketBounds.end(), latency) -
                             kLatencyBucketBounds.begin());
}

void StoreMetrics::Record(Operation op, std::chrono::nanoseconds latency, Code error, uint64_t bytes_up,
                          uint64_t bytes_down) {
  Counters& c = counters_[static_cast<size_t>(op)];
  latency = std::max(latency, std::chrono::nanoseconds::zero());  // a clock that steps back
  if (error == Code::kOk) {
    c.bytes_up.fetch_add(bytes_up, std::memory_order_relaxed);
    c.bytes_down.fetch_add(bytes_down, std::memory_order_relaxed);
  } else {
    c.errors[std::min(static_cast<size_t>(error), kCodeCount - 1)].fetch_add(1, std::memory_order_relaxed);
  }
  c.latency_sum_ns.fetch_add(static_cast<uint64_t>(latency.count()), std::memory_order_relaxed);
  c.buckets[LatencyBucket(latency)].fetch_add(1, std::memory_order_relaxed);
}

StoreMetricsSnapshot StoreMetrics::Snapshot() const {
  StoreMetricsSnapshot snapshot{.cloud = cloud_, .operations = {}};
  for (size_t op = 0; op < kOperationCount; ++op) {
    const Counters& c = counters_[op];
    OperationMetrics& out = snapshot.operations[op];
    uint64_t cumulative = 0;
    for (size_t b = 0; b < kLatencyBucketCount; ++b) {
      cumulative += c.buckets[b].load(std::memory_order_relaxed);
      out.latency_buckets[b] = cumulative;
    }
    // From the same loads as the buckets, so that requests, the +Inf bucket
    // and the latency count are one number.
    out.requests = cumulative;
    for (size_t code = 1; code < kCodeCount; ++code) {
      if (uint64_t n = c.errors[code].load(std::memory_order_relaxed)) out.errors[static_cast<Code>(code)] = n;
    }
    out.bytes_up = c.bytes_up.load(std::memory_order_relaxed);
    out.bytes_down = c.bytes_down.load(std::memory_order_relaxed);
    out.latency_sum = std::chrono::nanoseconds(static_cast<int64_t>(c.latency_sum_ns.load(std::memory_order_relaxed)));
  }
  return snapshot;
}

}  // namespace arkiv::storage
