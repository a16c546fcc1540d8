// The one libcurl client of the cloud backends (S3, Azure): one request in,
// one whole response out; bodies are held in memory both ways.
//
// The client keeps a pool of curl easy handles; each handle keeps its
// connection alive, so later requests reuse TCP (and TLS) sessions. The pool
// keeps up to ClientOptions::max_idle_handles idle handles: a store sets it
// to the most requests it has in flight, else every burst of parallel
// requests closes connections and opens new ones.
//
// A transport failure (refused, reset, timeout, stall, DNS) is an Error with
// kUnavailable; any HTTP status, 4xx and 5xx included, is a response for the
// caller to classify (CodeForHttpStatus gives the usual meaning). Messages
// show the URL without its query (RedactedUrl: a query may hold a SAS token)
// and never a header value: callers sign requests.
//
// Thread safety: Send may be called concurrently.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"
#include "storage/store.h"

namespace arkiv::storage::http {

struct Request {
  std::string method = "GET";  // GET, HEAD, PUT, POST, DELETE
  std::string url;             // already percent-encoded; sent as is (no "/../" folding)
  std::vector<std::pair<std::string, std::string>> headers;
  ByteView body;  // sent with Content-Length; PUT and POST always send one
};

struct Response {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  Bytes body;

  // The header's value, or "" when absent. `name` in lower case.
  std::string Header(const std::string& name) const;
};

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{10000};
  // A transfer slower than `stall_bytes_per_second` for `stall_timeout` is
  // abandoned (kUnavailable) rather than left hanging. The floor is low so
  // that a bandwidth limit above the client never trips it.
  std::chrono::seconds stall_timeout{60};
  long stall_bytes_per_second = 1;
  // Idle handles (each with its open connection) kept for reuse: at least
  // the number of requests the owner may have in flight at once.
  size_t max_idle_handles = 8;
  // Longest answer body taken; a longer one is abandoned with kDataLoss.
  uint64_t max_body_bytes = kMaxObjectSize;
};

// The `timeout=SECONDS` of an S3 or Azure URL: both the wait to connect and
// the longest stall of a transfer become `seconds`; 0 (no timeout= given)
// leaves `options` as they are.
void ApplyTimeout(int seconds, ClientOptions& options);

class Client {
 public:
  explicit Client(ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // kUnavailable when no HTTP response arrived; otherwise the response,
  // whatever its status.
  Result<Response> Send(const Request& request);

  const ClientOptions& options() const { return options_; }

 private:
  void* Acquire();
  void Release(void* handle);

  ClientOptions options_;
  std::mutex mutex_;
  std::vector<void*> idle_;  // CURL*, kept out of this header
};

// The code a plain HTTP status means for a store: 404 kNotFound,
// 401/403 kPermissionDenied, 409/412 kAlreadyExists (conditional writes),
// 416 kInvalidArgument, 408/429/5xx kUnavailable, other 4xx
// kInvalidArgument, 2xx/3xx kOk.
Code CodeForHttpStatus(int status);

}  // namespace arkiv::storage::http
