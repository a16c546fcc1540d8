// A thin libcurl client for the cloud backends (S3, Azure): one request in,
// one whole response out.
//
// The client keeps a pool of curl easy handles; each handle keeps its own
// connections alive, so consecutive requests reuse TCP (and TLS) sessions.
// A transport failure (refused, reset, timeout, DNS) is an Error with
// kUnavailable; any HTTP status is a response, and CodeForHttpStatus gives
// the usual meaning of one. URLs and headers are never put in messages in
// full: callers sign requests, and messages must not carry credentials.
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

namespace arkiv::storage::http {

struct Request {
  std::string method = "GET";  // GET, HEAD, PUT, POST, DELETE
  std::string url;
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
  // A transfer slower than 1 byte/s for this long is abandoned.
  std::chrono::seconds stall_timeout{60};
  size_t max_idle_handles = 16;
};

class Client {
 public:
  explicit Client(ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // kUnavailable when no HTTP response arrived; otherwise the response,
  // whatever its status.
  Result<Response> Send(const Request& request);

 private:
  void* Acquire();
  void Release(void* handle);

  ClientOptions options_;
  std::mutex mutex_;
  std::vector<void*> idle_;
};

// The code a plain HTTP status means for a store: 404 kNotFound,
// 401/403 kPermissionDenied, 409/412 kAlreadyExists (conditional writes),
// 416 kInvalidArgument, 408/429/5xx kUnavailable, other 4xx
// kInvalidArgument, 2xx/3xx kOk.
Code CodeForHttpStatus(int status);

// RFC 3986 percent-encoding of everything but unreserved characters
// (A-Z a-z 0-9 - _ . ~), and of '/' unless `keep_slash`.
std::string PercentEncode(std::string_view text, bool keep_slash);
// Decodes %XX sequences (and nothing else); a malformed one is kept as is.
std::string PercentDecode(std::string_view text);

}  // namespace arkiv::storage::http
