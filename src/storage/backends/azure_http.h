// A minimal blocking HTTP client on libcurl for the Azure store.
//
// One request in, one response out; the whole body is held in memory both
// ways. Easy handles are pooled so that connections are reused across calls
// and threads. A transport failure (connection refused, reset, timeout) is
// kUnavailable; any HTTP status, including 4xx and 5xx, is a response for the
// caller to classify.
//
// Messages never contain the request URL's query (it may hold a SAS token)
// or any header value.
//
// TODO(merge): fold into the shared wrapper in storage/http/ (S3 work).
//
// Thread safety: Send may be called concurrently.
#pragma once

#include <curl/curl.h>

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"

namespace arkiv::storage {

struct HttpRequest {
  std::string method;  // GET, HEAD, PUT, DELETE
  std::string url;     // already percent-encoded
  std::vector<std::pair<std::string, std::string>> headers;
  ByteView body;  // sent with Content-Length for PUT; ignored otherwise
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  Bytes body;

  // The header's value, or "" when absent. `name` in lower case.
  std::string Header(const std::string& name) const;
};

class HttpClient {
 public:
  // `timeout_seconds` bounds connecting and any stall of a transfer; 0 keeps
  // the defaults (30 s to connect, 60 s under 1 KiB/s).
  explicit HttpClient(int timeout_seconds = 0);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  Result<HttpResponse> Send(const HttpRequest& request);

 private:
  CURL* Acquire();
  void Release(CURL* handle);

  long connect_timeout_seconds_ = 30;
  long stall_timeout_seconds_ = 60;
  std::mutex mutex_;
  std::vector<CURL*> idle_;
};

// `url` without its query string, for messages.
std::string RedactedUrl(std::string_view url);

}  // namespace arkiv::storage
