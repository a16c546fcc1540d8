// A store in an Azure Blob Storage container (or Azurite): azure:// URLs.
//
// Each object is a block blob named PREFIX/NAME. Objects up to
// Options::block_threshold go up in one Put Blob; larger ones as Put Block
// calls of Options::block_size, AzureConfig::part_uploads at a time, and one
// Put Block List naming the blocks in order, which publishes the blob
// atomically. A failed block fails the Put before the list is sent: no blob
// appears (or the old one stays), and the service discards the uncommitted
// blocks within a week. Every upload carries Content-MD5 (the service verifies
// it); Put Block List also sets the blob's MD5, which whole-object reads
// check (kDataLoss on a mismatch). kCreateOnly is `If-None-Match: *`,
// enforced by the service, so Capabilities().atomic_create_only holds.
//
// Authentication is Shared Key (HMAC-SHA256 with the account key) or a SAS
// token appended to each request; see azure_config.h for where they come
// from. Neither ever appears in a message.
//
// Errors beyond store.h: a missing container is kFailedPrecondition with a
// message saying how to create it; rejected credentials are
// kPermissionDenied; connection failures, timeouts and 5xx are kUnavailable.
// There are no retries here: stack a RetryStore on top.
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <memory>
#include <string>

#include "storage/backends/azure_config.h"
#include "storage/backends/azure_signer.h"
#include "storage/http/http_client.h"
#include "storage/store.h"

namespace arkiv::storage {

class AzureStore : public Store {
 public:
  struct Options {
    uint64_t block_threshold = uint64_t{64} << 20;  // larger objects use Put Block (List)
    uint64_t block_size = uint64_t{16} << 20;
    int list_page_size = 5000;  // maxresults of List Blobs (the service's maximum)
  };

  // Parses `url` and takes the credentials from `given` or the environment
  // (azure_config.h).
  static Result<std::shared_ptr<AzureStore>> Open(std::string_view url, Options options,
                                                  const StoreCredentials& given = {});
  static Result<std::shared_ptr<AzureStore>> Open(std::string_view url) { return Open(url, Options()); }
  AzureStore(AzureConfig config, Options options);

  std::string Location() const override;
  StoreCapabilities Capabilities() const override {
    return {.atomic_create_only = true, .retains = !config_.immutability.empty()};
  }
  Status Put(std::string_view name, ByteView data, PutMode mode = PutMode::kReplace) override;
  Result<Bytes> Get(std::string_view name, uint64_t offset = 0, uint64_t length = kToEnd) override;
  Result<ObjectInfo> Stat(std::string_view name) override;
  Status List(std::string_view prefix, const std::function<Status(const ObjectInfo&)>& fn) override;
  Status Remove(std::string_view name) override;
  // Set Blob Immutability Policy when less than half of lock_days is left.
  Status RefreshRetention(std::string_view name) override;

  // Creates the container; succeeds if it already exists (for init --create-bucket).
  Status CreateContainer();
  Status CreateLocation() override { return CreateContainer(); }

 private:
  using Query = std::vector<std::pair<std::string, std::string>>;

  // Signs (or adds the SAS to) and sends one request. `path` is encoded and
  // starts with "/CONTAINER"; `query` values are not yet encoded.
  Result<http::Response> Send(const std::string& method, const std::string& path, const Query& query,
                              HeaderPairs headers, ByteView body = {});
  std::string BlobPath(std::string_view name) const;
  Error ErrorFor(const http::Response& response, std::string_view action) const;
  Status PutBlocks(std::string_view name, ByteView data, HeaderPairs headers);
  // Block `index` (from 0) of a PutBlocks upload.
  Status PutBlock(std::string_view name, size_t index, const std::string& block_id, ByteView block);
  // Ranged read; 416 and short answers become kInvalidArgument.
  Result<Bytes> GetRange(std::string_view name, uint64_t offset, uint64_t length);

  AzureConfig config_;
  Options options_;
  std::string endpoint_path_;  // the endpoint URL's path ("/devstoreaccount1" or "")
  std::unique_ptr<http::Client> http_;
};

}  // namespace arkiv::storage
