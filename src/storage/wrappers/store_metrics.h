// Counters of the calls made to one store: for each operation the requests,
// the errors by code, the bytes moved and a latency histogram with fixed
// buckets (Prometheus style). StoreMetrics is what MetricsStore records
// into, lock-free; Snapshot() copies it into plain values to print, compare
// or render (prometheus_text.h).
//
// Thread safety: Record and Snapshot may be called concurrently. A snapshot
// taken while calls finish may hold some counters of a call and not yet
// others; within one operation its buckets, requests and latency count
// always agree.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "core/status.h"
#include "storage/wrappers/operation.h"

namespace arkiv::storage {

// Upper bounds of the latency buckets; a last bucket (+Inf) takes the rest.
inline constexpr std::array<std::chrono::nanoseconds, 11> kLatencyBucketBounds = {
    std::chrono::milliseconds(5),    std::chrono::milliseconds(10),   std::chrono::milliseconds(25),
    std::chrono::milliseconds(50),   std::chrono::milliseconds(100),  std::chrono::milliseconds(250),
    std::chrono::milliseconds(500),  std::chrono::milliseconds(1000), std::chrono::milliseconds(2500),
    std::chrono::milliseconds(5000), std::chrono::milliseconds(10000)};
inline constexpr size_t kLatencyBucketCount = kLatencyBucketBounds.size() + 1;

struct OperationMetrics {
  uint64_t requests = 0;            // finished calls, failed ones included
  std::map<Code, uint64_t> errors;  // failed calls by code; codes never seen are absent
  uint64_t bytes_up = 0;            // bytes of successful Puts
  uint64_t bytes_down = 0;          // bytes returned by successful Gets
  // Cumulative, as Prometheus has them: latency_buckets[i] counts the calls
  // that took at most kLatencyBucketBounds[i]; the last one counts all.
  std::array<uint64_t, kLatencyBucketCount> latency_buckets{};
  std::chrono::nanoseconds latency_sum{0};

  uint64_t error_count() const;
  bool operator==(const OperationMetrics&) const = default;
};

struct StoreMetricsSnapshot {
  std::string cloud;  // the `cloud` label
  std::array<OperationMetrics, kOperationCount> operations;

  const OperationMetrics& operator[](Operation op) const { return operations[static_cast<size_t>(op)]; }
  bool operator==(const StoreMetricsSnapshot&) const = default;
};

class StoreMetrics {
 public:
  explicit StoreMetrics(std::string cloud) : cloud_(std::move(cloud)) {}
  StoreMetrics(const StoreMetrics&) = delete;
  StoreMetrics& operator=(const StoreMetrics&) = delete;

  const std::string& cloud() const { return cloud_; }

  // Counts one finished call. `error` is Code::kOk for a success; bytes are
  // counted only then.
  void Record(Operation op, std::chrono::nanoseconds latency, Code error, uint64_t bytes_up = 0,
              uint64_t bytes_down = 0);

  StoreMetricsSnapshot Snapshot() const;

 private:
  static constexpr size_t kCodeCount = static_cast<size_t>(Code::kRepositoryNotFound) + 1;

  struct Counters {
    std::array<std::atomic<uint64_t>, kCodeCount> errors{};
    std::atomic<uint64_t> bytes_up{0};
    std::atomic<uint64_t> bytes_down{0};
    std::array<std::atomic<uint64_t>, kLatencyBucketCount> buckets{};  // not cumulative
    std::atomic<uint64_t> latency_sum_ns{0};
  };

  const std::string cloud_;
  std::array<Counters, kOperationCount> counters_;
};

// Which bucket a latency falls in: the first whose bound is not below it.
size_t LatencyBucket(std::chrono::nanoseconds latency);

}  // namespace arkiv::storage
