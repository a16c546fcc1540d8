#include "storage/open_store.h"

#include <fmt/format.h>

#include <map>
#include <mutex>

#include "storage/backends/azure_store.h"
#include "storage/backends/local_store.h"
#include "storage/backends/memory_store.h"
#include "storage/backends/s3_store.h"
#include "storage/backends/sftp_store.h"
#include "storage/backends/sftp_url.h"
#include "storage/store_url_options.h"
#include "storage/wrappers/limit_store.h"
#include "storage/wrappers/metrics_store.h"
#include "storage/wrappers/retry_store.h"

namespace arkiv::storage {
namespace {

std::shared_ptr<Store> SharedMemoryStore(std::string_view name) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<Store>, std::less<>> stores;
  std::lock_guard lock(mutex);
  auto it = stores.find(name);
  if (it == stores.end())
    it = stores.emplace(std::string(name), std::make_shared<MemoryStore>(std::string(name))).first;
  return it->second;
}

struct Backend {
  std::shared_ptr<Store> store;
  bool cloud = false;  // reached over a network: retried, measured, limited by default
};

// The store a URL (without the generic options) names, unwrapped.
Result<Backend> OpenBackend(std::string_view url, const StoreCredentials& credentials) {
  if (url.empty()) return Fail(Code::kInvalidArgument, "no repository given (use --repo or ARKIV_REPOSITORY)");
  if (url.starts_with("file://")) {
    std::string_view path = url.substr(7);
    if (path.empty() || path.front() != '/') {
      return Fail(Code::kInvalidArgument, fmt::format("{}: file:// URLs need an absolute path (file:///path)", url));
    }
    return Backend{std::make_shared<LocalStore>(std::string(path))};
  }
  if (url.starts_with("memory://")) return Backend{SharedMemoryStore(url.substr(9))};
  if (url.starts_with("s3://")) {
    ASSIGN_OR_RETURN(auto store, S3Store::Open(url, credentials));
    return Backend{std::move(store), true};
  }
  if (url.starts_with("azure://")) {
    ASSIGN_OR_RETURN(auto store, AzureStore::Open(url, AzureStore::Options(), credentials));
    return Backend{std::move(store), true};
  }
  if (url.starts_with("sftp://")) {
    ASSIGN_OR_RETURN(SftpLocation location, ParseSftpUrl(url));
    if (credentials.ForSftp()) location.endpoint.key_file = credentials.identity_file;
    return Backend{std::make_shared<SftpStore>(std::move(location)), true};
  }
  size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) {
    return Fail(Code::kInvalidArgument,
                fmt::format("{}: unsupported store scheme '{}' (supported: file://, s3://, azure://, sftp://, a "
                            "plain path)",
                            url, url.substr(0, scheme)));
  }
  return Backend{std::make_shared<LocalStore>(std::string(url))};
}

}  // namespace

Result<StoreStack> OpenStoreStack(std::string_view url, const OpenStoreOptions& options) {
  ASSIGN_OR_RETURN(SplitStoreUrl split, SplitStoreUrlOptions(url));
  RETURN_IF_ERROR(CheckCredentialsFit(split.url, options.credentials));
  ASSIGN_OR_RETURN(Backend backend, OpenBackend(split.url, options.credentials));
  const StoreUrlOptions& given = split.options;
  LimitOptions limits{
      .connections = given.connections.value_or(backend.cloud ? kDefaultCloudConnections : 0),
      .upload_bytes_per_second = options.upload_limit.value_or(given.upload_limit.value_or(0)),
      .download_bytes_per_second = options.download_limit.value_or(given.download_limit.value_or(0)),
      .hooks = {},
  };
  StoreStack stack{.store = backend.store, .metrics = nullptr};
  if (backend.cloud) {
    // Retries live in this one place: timeouts, resets, 5xx and throttling.
    std::string cloud = options.cloud_name.empty() ? backend.store->Location() : options.cloud_name;
    stack.metrics = std::make_shared<StoreMetrics>(std::move(cloud));
    ASSIGN_OR_RETURN(RetryPolicy retry, RetryPolicyFromEnvironment());
    stack.store = std::make_shared<RetryStore>(std::make_shared<MetricsStore>(backend.store, stack.metrics), retry);
  }
  bool limited = limits.connections > 0 || limits.upload_bytes_per_second > 0 || limits.download_bytes_per_second > 0;
  if (limited) stack.store = std::make_shared<LimitStore>(stack.store, limits);
  return stack;
}

Result<std::shared_ptr<Store>> OpenStore(std::string_view url, const OpenStoreOptions& options) {
  ASSIGN_OR_RETURN(StoreStack stack, OpenStoreStack(url, options));
  return std::move(stack.store);
}

}  // namespace arkiv::storage
