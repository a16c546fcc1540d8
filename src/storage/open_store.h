// Turns a repository URL into a Store.
//   file:///abs/path, or a plain path      -> LocalStore
//   memory://NAME                          -> a MemoryStore shared within this process
//   s3://BUCKET/PREFIX?...                 -> S3Store (see backends/s3_store.h)
//   azure://ACCOUNT/CONTAINER[/PREFIX]?... -> AzureStore (see backends/azure_config.h)
//   sftp://[USER@]HOST[:PORT]/PATH?...     -> SftpStore (see backends/sftp_url.h)
// Any of them may carry connections=, upload_limit= and download_limit=
// (store_url_options.h); they are removed before the backend sees the URL.
//
// A cloud store (s3, azure, sftp) comes as a stack of wrappers:
//   LimitStore(RetryStore(MetricsStore(backend)))
// the limits outermost, so a call and its retries hold one connection slot
// and pay for their bytes once; the metrics innermost, so they count every
// attempt. Cloud stores get 8 connections unless told otherwise. A local or
// memory store gets a LimitStore only when a limit is given, and no retries
// or metrics (its errors are not transient).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "storage/store.h"
#include "storage/store_credentials.h"
#include "storage/wrappers/store_metrics.h"

namespace arkiv::storage {

inline constexpr size_t kDefaultCloudConnections = 8;

struct OpenStoreOptions {
  // From the command line (--limit-upload, --limit-download), in bytes per
  // second (0: no limit); they win over the URL's upload_limit= and
  // download_limit=.
  std::optional<uint64_t> upload_limit;
  std::optional<uint64_t> download_limit;
  // The `cloud` label of the store's metrics; empty: its Location().
  std::string cloud_name;
  // Credentials for this one store, instead of the environment's; they must
  // fit the URL's kind of store (CheckCredentialsFit), else kInvalidArgument.
  StoreCredentials credentials{};
};

// What OpenStoreStack made. The metrics are handed out here, by the one who
// built the stack, rather than kept in a registry: whoever opens stores
// (the CLI today, the placement layer later) knows which ones it has and
// can collect their snapshots.
struct StoreStack {
  std::shared_ptr<Store> store;           // the top of the stack: what callers use
  std::shared_ptr<StoreMetrics> metrics;  // of every attempt; null for local and memory stores
};

Result<StoreStack> OpenStoreStack(std::string_view url, const OpenStoreOptions& options = {});

// OpenStoreStack(...).store.
Result<std::shared_ptr<Store>> OpenStore(std::string_view url, const OpenStoreOptions& options = {});

}  // namespace arkiv::storage
