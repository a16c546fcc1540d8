#include "storage/http/http_client.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "storage/http/header_text.h"
#include "storage/http/url.h"

namespace arkiv::storage::http {
namespace {

// Most bytes reserved for a body before they arrive: a default pack (16 MiB)
// and more, never what a hostile Content-Length asks for.
constexpr uint64_t kMaxBodyReservation = uint64_t{64} << 20;

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
  const Request* request = nullptr;
  size_t sent = 0;
  Response response;
  uint64_t max_body_bytes = 0;
  bool too_long = false;  // the body passed max_body_bytes: abandoned
};

size_t ReadBody(char* buffer, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  ByteView body = transfer->request->body;
  size_t n = std::min(size * count, body.size() - transfer->sent);
  std::memcpy(buffer, body.data() + transfer->sent, n);
  transfer->sent += n;
  return n;
}

// libcurl rewinds when it must resend the body (a redirect, a reused
// connection that turned out closed).
int SeekBody(void* user, curl_off_t offset, int origin) {
  auto* transfer = static_cast<Transfer*>(user);
  if (origin != SEEK_SET || offset < 0 || static_cast<size_t>(offset) > transfer->request->body.size()) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  transfer->sent = static_cast<size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  Response& response = transfer->response;
  if (response.body.empty()) {
    // One allocation for the whole body. Here, not when the header arrives:
    // a HEAD's Content-Length announces a body that never comes. The header
    // is the server's word, not bytes received: a hostile or broken server
    // announcing gigabytes gets kMaxBodyReservation at first, and the body
    // grows only with the bytes that do arrive.
    uint64_t length = std::strtoull(response.Header("content-length").c_str(), nullptr, 10);
    response.body.reserve(std::min(length, kMaxBodyReservation));
  }
  if (response.body.size() + size * count > transfer->max_body_bytes) {
    transfer->too_long = true;
    return 0;  // curl stops the transfer (CURLE_WRITE_ERROR)
  }
  response.body.insert(response.body.end(), data, data + size * count);
  return size * count;
}

size_t ReadHeader(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t n = size * count;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    // A new status line (after "100 Continue" or a redirect) starts over.
    transfer->response.headers.clear();
    return n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  transfer->response.headers[LowerAscii(line.substr(0, colon))] = TrimWhitespace(line.substr(colon + 1));
  return n;
}

// curl's detailed message, unless it quotes the URL's query (it may hold a
// SAS token); then only the generic text for `code`.
std::string TransportError(std::string_view url, CURLcode code, const char* detail) {
  std::string_view text = detail[0] != 0 ? detail : curl_easy_strerror(code);
  size_t query = url.find('?');
  if (query != std::string_view::npos && query + 1 < url.size() &&
      text.find(url.substr(query + 1)) != std::string_view::npos) {
    return curl_easy_strerror(code);
  }
  return std::string(text);
}

struct HeaderList {
  ~HeaderList() { curl_slist_free_all(list); }
  void Append(const std::string& line) { list = curl_slist_append(list, line.c_str()); }
  curl_slist* list = nullptr;
};

void SetMethod(CURL* curl, const Request& request, Transfer& transfer) {
  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method == "PUT" || request.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadBody);
    curl_easy_setopt(curl, CURLOPT_READDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, SeekBody);
    curl_easy_setopt(curl, CURLOPT_SEEKDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    if (request.method == "POST") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "POST");
  } else if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
}

}  // namespace

std::string Response::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

Client::Client(ClientOptions options) : options_(options) {
  GlobalInit();
}

Client::~Client() {
  for (void* handle : idle_) curl_easy_cleanup(static_cast<CURL*>(handle));
}

void* Client::Acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      void* handle = idle_.back();
      idle_.pop_back();
      return handle;
    }
  }
  return curl_easy_init();
}

void Client::Release(void* handle) {
  // Reset keeps the handle's open connection for the next request.
  curl_easy_reset(static_cast<CURL*>(handle));
  std::lock_guard lock(mutex_);
  if (idle_.size() < options_.max_idle_handles) {
    idle_.push_back(handle);
    return;
  }
  curl_easy_cleanup(static_cast<CURL*>(handle));
}

Result<Response> Client::Send(const Request& request) {
  CURL* curl = static_cast<CURL*>(Acquire());
  if (curl == nullptr) return Fail(Code::kResourceExhausted, "cannot create a curl handle");
  Transfer transfer;
  transfer.request = &request;
  transfer.max_body_bytes = options_.max_body_bytes;
  HeaderList headers;
  for (const auto& [name, value] : request.headers) {
    // "Name;" sends an empty header; "Name:" would remove it.
    headers.Append(value.empty() ? name + ";" : name + ": " + value);
  }
  headers.Append("Expect:");  // no 100-continue round trip
  char error_buffer[CURL_ERROR_SIZE] = {0};

  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  // Signatures cover the path as sent: curl must not fold "/./" or "/../".
  curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
  // An endpoint comes from the user's URL; never let it read file:// and the like.
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, options_.stall_bytes_per_second);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.stall_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, ReadHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  SetMethod(curl, request, transfer);

  CURLcode rc = curl_easy_perform(curl);
  if (transfer.too_long) {
    curl_easy_cleanup(curl);
    return Fail(Code::kDataLoss, fmt::format("{} {}: the answer is longer than {} bytes, more than any object",
                                             request.method, RedactedUrl(request.url), options_.max_body_bytes));
  }
  if (rc != CURLE_OK) {
    // The handle may hold a broken connection: do not pool it.
    curl_easy_cleanup(curl);
    return Fail(Code::kUnavailable, fmt::format("{} {}: {}", request.method, RedactedUrl(request.url),
                                                TransportError(request.url, rc, error_buffer)));
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  Release(curl);
  transfer.response.status = static_cast<int>(status);
  return std::move(transfer.response);
}

void ApplyTimeout(int seconds, ClientOptions& options) {
  if (seconds <= 0) return;
  options.connect_timeout = std::chrono::seconds(seconds);
  options.stall_timeout = std::chrono::seconds(seconds);
}

Code CodeForHttpStatus(int status) {
  if (status >= 200 && status < 400) return Code::kOk;
  switch (status) {
    case 401:
    case 403: return Code::kPermissionDenied;
    case 404: return Code::kNotFound;
    case 409:
    case 412: return Code::kAlreadyExists;
    case 408:
    case 429: return Code::kUnavailable;
    case 416: return Code::kInvalidArgument;
    default: break;
  }
  if (status >= 500) return Code::kUnavailable;
  if (status >= 400) return Code::kInvalidArgument;
  return Code::kInternal;
}

}  // namespace arkiv::storage::http
