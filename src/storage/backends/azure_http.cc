#include "storage/backends/azure_http.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace arkiv::storage {
namespace {

struct UploadCursor {
  ByteView data;
  size_t offset = 0;
};

size_t ReadBody(char* buffer, size_t size, size_t count, void* user) {
  auto* cursor = static_cast<UploadCursor*>(user);
  size_t n = std::min(size * count, cursor->data.size() - cursor->offset);
  std::memcpy(buffer, cursor->data.data() + cursor->offset, n);
  cursor->offset += n;
  return n;
}

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  auto* response = static_cast<HttpResponse*>(user);
  if (response->body.empty()) {
    // One allocation for the whole body (a HEAD's Content-Length never gets here).
    uint64_t length = std::strtoull(response->Header("content-length").c_str(), nullptr, 10);
    if (length < (uint64_t{1} << 34)) response->body.reserve(length);
  }
  response->body.insert(response->body.end(), data, data + size * count);
  return size * count;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

size_t WriteHeader(char* data, size_t size, size_t count, void* user) {
  auto* response = static_cast<HttpResponse*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    response->headers.clear();  // a new response (after 100 Continue or a redirect)
    return size * count;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * count;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  response->headers[name] = Trim(line.substr(colon + 1));
  return size * count;
}

struct HeaderList {
  ~HeaderList() { curl_slist_free_all(list); }
  curl_slist* list = nullptr;
};

}  // namespace

std::string HttpResponse::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

std::string RedactedUrl(std::string_view url) {
  return std::string(url.substr(0, url.find('?')));
}

HttpClient::HttpClient(int timeout_seconds) {
  if (timeout_seconds > 0) connect_timeout_seconds_ = stall_timeout_seconds_ = timeout_seconds;
  static const bool initialized = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
  (void)initialized;
}

HttpClient::~HttpClient() {
  for (CURL* handle : idle_) curl_easy_cleanup(handle);
}

CURL* HttpClient::Acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      CURL* handle = idle_.back();
      idle_.pop_back();
      curl_easy_reset(handle);
      return handle;
    }
  }
  return curl_easy_init();
}

void HttpClient::Release(CURL* handle) {
  std::lock_guard lock(mutex_);
  idle_.push_back(handle);
}

Result<HttpResponse> HttpClient::Send(const HttpRequest& request) {
  CURL* curl = Acquire();
  if (curl == nullptr) return Fail(Code::kInternal, "curl_easy_init failed");
  HttpResponse response;
  UploadCursor cursor{request.body};
  HeaderList headers;
  for (const auto& [name, value] : request.headers) {
    headers.list = curl_slist_append(headers.list, fmt::format("{}: {}", name, value).c_str());
  }
  headers.list = curl_slist_append(headers.list, "Expect:");
  char error_buffer[CURL_ERROR_SIZE] = {0};

  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, connect_timeout_seconds_);
  // A stalled transfer (under 1 KiB/s for the stall timeout) fails rather than hangs.
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, stall_timeout_seconds_);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response);
  if (request.method == "PUT") {
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadBody);
    curl_easy_setopt(curl, CURLOPT_READDATA, &cursor);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  CURLcode code = curl_easy_perform(curl);
  if (code != CURLE_OK) {
    // The handle may hold a broken connection: do not pool it.
    curl_easy_cleanup(curl);
    return Fail(Code::kUnavailable, fmt::format("{} {}: {}", request.method, RedactedUrl(request.url),
                                                error_buffer[0] ? error_buffer : curl_easy_strerror(code)));
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  Release(curl);
  return response;
}

}  // namespace arkiv::storage
