// The requests a command made to the repository's stores, for the summaries
// of backup, restore, check and prune (`requests` in --json, one
// "requests: ..." line otherwise; docs/json.md).
//
// Every store the command opens (OpenRepositoryStore, CloudStoreOpener) is
// entered here under a name: "repository" for the store the repository was
// opened on, the cloud's name for each cloud of a multi-cloud repository.
// Cloud stores are counted by the MetricsStore their stack already has,
// below the retries, so that every attempt is a request; local stores get a
// MetricsStore on top (they have no retries). Entries of one name are added
// up: a multi-cloud repository opened on one of its clouds reports that
// cloud's opening reads (config, keys, cloud set) under the cloud's name.
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "storage/open_store.h"
#include "storage/wrappers/store_metrics.h"

namespace arkiv::cli {

// Requests of one store (or of all), by kind, and the bytes moved.
struct RequestCounts {
  uint64_t put = 0;
  uint64_t get = 0;
  uint64_t list = 0;
  uint64_t stat = 0;    // HEAD (S3, Azure), stat (SFTP, folders)
  uint64_t remove = 0;  // DELETE
  uint64_t errors = 0;  // failed attempts, already counted above
  uint64_t bytes_up = 0;
  uint64_t bytes_down = 0;

  uint64_t total() const { return put + get + list + stat + remove; }
  RequestCounts& operator+=(const RequestCounts& other);
  bool operator==(const RequestCounts&) const = default;
};

RequestCounts CountsOf(const storage::StoreMetricsSnapshot& snapshot);

class RequestLedger {
 public:
  // The top of `stack` (opened from `url`), counted under `name`: through
  // stack.metrics when the stack has them, else through a MetricsStore put
  // on top.
  std::shared_ptr<storage::Store> Enter(storage::StoreStack stack, const std::string& name, const std::string& url);
  // Gives the entries called `name` the name of another entry opened from
  // the same URL, if there is one (the opening store of a multi-cloud
  // repository is one of its clouds).
  void FoldByUrl(const std::string& name);

  // The counts so far, by name.
  std::map<std::string, RequestCounts> ByStore() const;

 private:
  mutable std::mutex mutex_;
  struct Entry {
    std::string name;
    std::string url;
    std::shared_ptr<storage::StoreMetrics> metrics;
  };
  std::vector<Entry> entries_;
};

// {"put": N, "get": N, "list": N, "stat": N, "delete": N, "total": N,
//  "errors": N, "bytes_up": B, "bytes_down": B, "stores": {NAME: {same}}}
nlohmann::json RequestsJson(const std::map<std::string, RequestCounts>& by_store);

// "requests: 12 PUT, 30 GET, 4 LIST, 2 STAT, 0 DELETE (1.2 MiB up, 300 KiB down)",
// all stores together (--json has them per store).
std::string RequestsLine(const std::map<std::string, RequestCounts>& by_store);

}  // namespace arkiv::cli
