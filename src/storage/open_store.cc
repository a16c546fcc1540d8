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
#include "storage/wrappers/retry_store.h"

namespace arkiv::storage {
namespace {

std::shared_ptr<Store> SharedMemoryStore(std::string_view name) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<Store>, std::less<>> stores;
  std::lock_guard lock(mutex);
  auto it = stores.find(name);
  if (it == stores.end()) it = stores.emplace(std::string(name), std::make_shared<MemoryStore>(std::string(name))).first;
  return it->second;
}

}  // namespace

Result<std::shared_ptr<Store>> OpenStore(std::string_view url) {
  if (url.empty()) return Fail(Code::kInvalidArgument, "no repository given (use --repo or ARKIV_REPOSITORY)");
  if (url.starts_with("file://")) {
    std::string_view path = url.substr(7);
    if (path.empty() || path.front() != '/') {
      return Fail(Code::kInvalidArgument, fmt::format("{}: file:// URLs need an absolute path (file:///path)", url));
    }
    return std::make_shared<LocalStore>(std::string(path));
  }
  if (url.starts_with("memory://")) return SharedMemoryStore(url.substr(9));
  // Cloud stores sit under a RetryStore: timeouts, resets, 5xx and
  // throttling are retried with backoff in this one place.
  if (url.starts_with("s3://")) {
    ASSIGN_OR_RETURN(auto store, S3Store::Open(url));
    ASSIGN_OR_RETURN(RetryPolicy retry, RetryPolicyFromEnvironment());
    return std::make_shared<RetryStore>(std::shared_ptr<Store>(std::move(store)), retry);
  }
  if (url.starts_with("azure://")) {
    ASSIGN_OR_RETURN(auto store, AzureStore::Open(url));
    ASSIGN_OR_RETURN(RetryPolicy retry, RetryPolicyFromEnvironment());
    return std::make_shared<RetryStore>(std::shared_ptr<Store>(std::move(store)), retry);
  }
  if (url.starts_with("sftp://")) {
    ASSIGN_OR_RETURN(SftpLocation location, ParseSftpUrl(url));
    ASSIGN_OR_RETURN(RetryPolicy retry, RetryPolicyFromEnvironment());
    return std::make_shared<RetryStore>(std::make_shared<SftpStore>(std::move(location)), retry);
  }
  size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) {
    return Fail(Code::kInvalidArgument,
                fmt::format("{}: unsupported store scheme '{}' (supported: file://, s3://, azure://, sftp://, a "
                            "plain path)",
                            url,
                            url.substr(0, scheme)));
  }
  return std::make_shared<LocalStore>(std::string(url));
}

}  // namespace arkiv::storage
