// A store in an S3 bucket (AWS, or a compatible server via `endpoint`).
//
//   s3://BUCKET[/PREFIX][?endpoint=http://127.0.0.1:9000&region=us-east-1
//                         &path_style=true|false&storage_class=STANDARD
//                         &multipart_threshold=BYTES&part_size=BYTES&part_uploads=N
//                         &timeout=SECONDS
//                         &object_lock=compliance|governance&lock_days=N]
//
// Objects are keys PREFIX/NAME. Without `endpoint` the store talks to
// https://s3.REGION.amazonaws.com, virtual-host style; with one, path style
// unless path_style=false (then BUCKET.HOST, which libcurl resolves for
// *.localhost). The store-wide parameters of every store URL (connections,
// upload_limit, download_limit; see storage/http/url.h) are accepted for the
// wrappers; `connections` also sizes the connection pool. `timeout` (1 to
// 3600) bounds the wait to connect and any wait for the next byte each way
// (default 10 s to connect, 60 s without a byte). Credentials and the
// default region come from the caller (StoreCredentials), the environment or
// ~/.aws (see aws_config.h).
// Requests are signed with SigV4 and carry the SHA-256 of their body, so the
// server rejects a body damaged on the way. A single PUT of an object named
// by its SHA-256 (ContentHashInName: packs, index files, snapshots) sends the
// name's hash instead of hashing the body once more: the body is still
// checked against it by S3, and a pack written to several S3 clouds is
// hashed once, when it is named, not once per cloud.
//
// How the contract maps onto S3:
//  * Put is one PUT, or a multipart upload above `multipart_threshold`
//    (parts sent `part_uploads` at a time, aborted on failure); both
//    are atomic on S3. kCreateOnly sends
//    `If-None-Match: *` (412 -> kAlreadyExists), which S3 enforces
//    atomically.
//  * Get sends a Range and checks the reply covers it exactly; a range
//    outside the object is kInvalidArgument, never a short read.
//  * Remove issues a HEAD first, because S3's DELETE succeeds for missing
//    keys; the pair is not atomic. An object whose Object Lock retention
//    has not passed is not removed: kRetained with the date (a DELETE
//    would only hide it behind a delete marker; s3_object_lock.h).
//  * List is ListObjectsV2 with continuation tokens; keys that are not
//    valid object names (folder markers "x/", foreign files) are skipped.
// Errors: 404 kNotFound; 401/403 kPermissionDenied (the message says whether
// S3 rejected the credentials or denied access); 429, 5xx, SlowDown and
// transport failures kUnavailable; a missing bucket kFailedPrecondition
// with a message naming it and the endpoint and saying how to create it
// (except from Stat and Remove: a HEAD reply cannot tell, so kNotFound).
// Messages name the bucket, the object and what S3 answered, never a key
// or a signature.
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "storage/backends/s3_object_lock.h"
#include "storage/backends/s3_signer.h"
#include "storage/http/http_client.h"
#include "storage/store.h"
#include "storage/store_credentials.h"

namespace arkiv::storage {

struct S3Options {
  std::string bucket;
  std::string prefix;    // "" or a valid object name; keys are PREFIX/NAME
  std::string endpoint;  // "http://127.0.0.1:9000"; "" for AWS
  std::string region = "us-east-1";
  bool path_style = false;
  std::string storage_class;  // "" leaves the bucket's default
  uint64_t multipart_threshold = uint64_t{64} << 20;
  uint64_t part_size = uint64_t{16} << 20;  // at least 5 MiB (S3's minimum)
  int part_uploads = 4;                     // parts of one object in flight at once (1 to 64)
  int connections = 8;      // requests the store may have in flight (a wrapper enforces it); sizes the pool
  int timeout_seconds = 0;  // connect and stall timeout; 0: http::ClientOptions' defaults
  S3ObjectLock object_lock;  // retention of every object written (s3_object_lock.h)
  AwsCredentials credentials;
};

// The code an S3 error reply means. S3's own error code decides where it
// says more than the HTTP status: SlowDown, RequestTimeout (a 400) and
// InternalError are kUnavailable, ExpiredToken and InvalidAccessKeyId
// kPermissionDenied, NoSuchBucket kFailedPrecondition.
Code S3ErrorCode(int http_status, std::string_view s3_code);

class S3Store : public Store {
 public:
  explicit S3Store(S3Options options);

  // Parses an s3:// URL (see above) without looking for credentials. A
  // region not in the URL comes from the environment or from `profile`
  // (empty: AWS_PROFILE) in ~/.aws/config.
  static Result<S3Options> ParseUrl(std::string_view url, std::string_view profile = {});
  // ParseUrl, then credentials: `given` (a key pair or a profile), else the
  // environment (aws_config.h).
  static Result<std::shared_ptr<S3Store>> Open(std::string_view url, const StoreCredentials& given = {});

  // Creates the bucket (in the store's region; with Object Lock enabled when
  // the URL asks for it). Success if it exists and is ours.
  Status CreateBucket();
  Status CreateLocation() override { return CreateBucket(); }

  std::string Location() const override;
  Status Put(std::string_view name, ByteView data, PutMode mode = PutMode::kReplace) override;
  Result<Bytes> Get(std::string_view name, uint64_t offset = 0, uint64_t length = kToEnd) override;
  Result<ObjectInfo> Stat(std::string_view name) override;
  Status List(std::string_view prefix, const std::function<Status(const ObjectInfo&)>& fn) override;
  Status Remove(std::string_view name) override;
  StoreCapabilities Capabilities() const override { return {.retains = options_.object_lock.enabled()}; }
  Status RefreshRetention(std::string_view name) override;
  // The Object Lock retention date of `name`; nullopt when it has none.
  Result<std::optional<std::chrono::system_clock::time_point>> RetainedUntil(std::string_view name);

  const S3Options& options() const { return options_; }

 private:
  using Pairs = std::vector<std::pair<std::string, std::string>>;

  // Signs and sends one request. `key` "" addresses the bucket itself.
  // `payload_hash` is the hex SHA-256 of `body` when the caller knows it
  // (empty: computed here).
  Result<http::Response> Send(const std::string& method, std::string_view key, const Pairs& query, Pairs headers = {},
                              ByteView body = {}, std::string_view payload_hash = {});
  // The error a failed response means, for `what` ("get data/x").
  Error ErrorOf(const http::Response& response, std::string_view what) const;
  // The error of a 404 to GET `name`: kNotFound, or the missing bucket.
  Error NotFound(const http::Response& response, std::string_view name, std::string_view what) const;
  std::string KeyOf(std::string_view name) const { return key_prefix_ + std::string(name); }
  std::string PathOf(std::string_view key) const;

  // HEAD of `name`: its size and, under Object Lock, its retention.
  Result<http::Response> Head(std::string_view name);
  // The upload headers Object Lock adds for `name` with body `data`.
  void AddLockHeaders(std::string_view name, ByteView data, Pairs& headers) const;
  Status PutMultipart(std::string_view name, ByteView data, PutMode mode);
  // Sets the Object Lock retention of `name` uploaded at `started`.
  Status PutRetention(std::string_view name, std::chrono::system_clock::time_point started);
  // Uploads the parts of `data`, several at once; fills `etags` in order.
  Status UploadParts(std::string_view name, const std::string& upload_id, ByteView data,
                     std::vector<std::string>& etags);
  // Part `number` (from 1); its ETag into `etag`.
  Status UploadPart(std::string_view name, const std::string& upload_id, size_t number, ByteView part,
                    std::string& etag);
  Status CompleteMultipart(std::string_view name, const std::string& upload_id, const std::vector<std::string>& etags,
                           PutMode mode);
  // A range read of exactly `length` bytes at `offset` (length > 0; kToEnd:
  // all the rest, possibly nothing).
  Result<Bytes> GetRange(std::string_view name, uint64_t offset, uint64_t length);
  Error Outside(std::string_view name, uint64_t offset, uint64_t length, std::optional<uint64_t> size) const;

  S3Options options_;
  std::string key_prefix_;  // "" or "PREFIX/"
  std::string scheme_;      // "http" or "https"
  std::string host_;        // host[:port] of the endpoint
  std::shared_ptr<http::Client> client_;
};

}  // namespace arkiv::storage
