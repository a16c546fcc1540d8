#include "storage/backends/azure_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <ctime>

#include "core/hex.h"
#include "crypto/random.h"
#include "storage/backends/azure_signer.h"
#include "storage/backends/azure_xml.h"
#include "storage/retention.h"
#include "storage/http/content_md5.h"
#include "storage/http/parallel_parts.h"
#include "storage/http/url.h"

namespace arkiv::storage {
namespace {

constexpr std::string_view kApiVersion = "2023-11-03";
constexpr uint64_t kMaxBlocks = 50000;  // per blob, the service's limit

// RFC 1123, as x-ms-date and the immutability dates want it.
std::string HttpDate(std::time_t when = std::time(nullptr)) {
  std::tm tm{};
  ::gmtime_r(&when, &tm);
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  return fmt::format("{}, {:02d} {} {} {:02d}:{:02d}:{:02d} GMT", kDays[tm.tm_wday], tm.tm_mday, kMonths[tm.tm_mon],
                     tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

// The path of an endpoint URL: "http://h:1/devstoreaccount1" -> "/devstoreaccount1".
std::string EndpointPath(std::string_view endpoint) {
  size_t scheme = endpoint.find("://");
  size_t slash = endpoint.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
  return slash == std::string_view::npos ? std::string() : std::string(endpoint.substr(slash));
}

std::optional<uint64_t> ParseSize(std::string_view text) {
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

Result<std::shared_ptr<AzureStore>> AzureStore::Open(std::string_view url, Options options,
                                                     const StoreCredentials& given) {
  ASSIGN_OR_RETURN(AzureConfig config, ParseAzureUrl(url, ProcessEnv, given));
  return std::make_shared<AzureStore>(std::move(config), options);
}

AzureStore::AzureStore(AzureConfig config, Options options)
    : config_(std::move(config)), options_(options), endpoint_path_(EndpointPath(config_.endpoint)) {
  if (options_.block_size == 0) options_.block_size = uint64_t{16} << 20;
  if (options_.list_page_size <= 0) options_.list_page_size = 5000;
  config_.part_uploads = std::max(config_.part_uploads, 1);
  config_.connections = std::max(config_.connections, 1);
  http::ClientOptions client;
  // Every call in flight may be a block upload with part_uploads requests.
  client.max_idle_handles = static_cast<size_t>(config_.connections) * static_cast<size_t>(config_.part_uploads);
  http::ApplyTimeout(config_.timeout_seconds, client);
  http_ = std::make_unique<http::Client>(client);
}

std::string AzureStore::Location() const {
  std::string location = fmt::format("azure://{}/{}", config_.account, config_.container);
  if (!config_.prefix.empty()) location += "/" + config_.prefix;
  return location;
}

std::string AzureStore::BlobPath(std::string_view name) const {
  std::string blob = config_.prefix.empty() ? std::string(name) : config_.prefix + "/" + std::string(name);
  return "/" + config_.container + "/" + http::PercentEncode(blob, /*keep_slash=*/true);
}

Result<http::Response> AzureStore::Send(const std::string& method, const std::string& path, const Query& query,
                                        HeaderPairs headers, ByteView body) {
  headers.emplace_back("x-ms-date", HttpDate());
  headers.emplace_back("x-ms-version", std::string(kApiVersion));
  std::string url = config_.endpoint + path;
  char separator = '?';
  for (const auto& [name, value] : query) {
    url += separator + name + "=" + http::PercentEncode(value, false);
    separator = '&';
  }
  if (!config_.sas.empty()) {
    url += separator + config_.sas;
  } else {
    std::string resource = CanonicalizedResource(config_.account, endpoint_path_ + path, query);
    std::string to_sign = SharedKeyStringToSign(method, method == "PUT" ? body.size() : 0, headers, resource);
    auto signature = SharedKeySignature(to_sign, config_.key);
    if (!signature) return Fail(signature.error().Context(Location()));
    headers.emplace_back("Authorization", fmt::format("SharedKey {}:{}", config_.account, *signature));
  }
  auto response = http_->Send({.method = method, .url = url, .headers = std::move(headers), .body = body});
  if (!response) return Fail(response.error().Context(fmt::format("{}: request to Azure failed", Location())));
  return response;
}

Error AzureStore::ErrorFor(const http::Response& response, std::string_view action) const {
  AzureErrorBody body = ParseErrorBody(AsString(response.body));
  std::string code = response.Header("x-ms-error-code");
  if (code.empty()) code = body.code;
  std::string where = Location();
  long status = response.status;
  std::string detail = fmt::format("HTTP {}{}{}", status, code.empty() ? "" : " ", code);
  if (status == 403) {
    // The service's message may quote the string to sign: leave it out.
    return Error(Code::kPermissionDenied,
                 fmt::format("{}: {}: Azure rejected the credentials for account '{}', container '{}' ({}); check "
                             "the account key, connection string or SAS token (its permissions and expiry)",
                             where, action, config_.account, config_.container, detail));
  }
  if (!body.message.empty()) detail += ": " + body.message;
  if (code == "ContainerNotFound") {
    return Error(Code::kFailedPrecondition,
                 fmt::format("{}: container '{}' does not exist in account '{}' at {}; create it with `arkiv init "
                             "--create-bucket` or `az storage container create --name {}`",
                             where, config_.container, config_.account, config_.endpoint, config_.container));
  }
  if (status == 404) return Error(Code::kNotFound, fmt::format("{}: {}: no such object", where, action));
  if (code == "BlobAlreadyExists" || status == 412) {
    return Error(Code::kAlreadyExists, fmt::format("{}: {}: the object already exists", where, action));
  }
  if (status == 416) return Error(Code::kInvalidArgument, fmt::format("{}: {}: range not satisfiable", where, action));
  if (status == 408 || status == 429 || status >= 500) {
    return Error(Code::kUnavailable, fmt::format("{}: {}: {}", where, action, detail));
  }
  if (code == "BlobImmutableDueToPolicy" || code == "BlobImmutableDueToLegalHold") {
    return Error(Code::kRetained, fmt::format("{}: {}: the blob is retained by an Azure immutability {} ({})", where,
                                              action, code.ends_with("LegalHold") ? "legal hold" : "policy", detail));
  }
  if (code == "BlobArchived") {
    return Error(Code::kFailedPrecondition,
                 fmt::format("{}: {}: the blob is in the Archive tier; rehydrate it first", where, action));
  }
  Code result = status == 400 ? Code::kInvalidArgument : Code::kFailedPrecondition;
  return Error(result, fmt::format("{}: {}: {}", where, action, detail));
}

Status AzureStore::CreateContainer() {
  ASSIGN_OR_RETURN(http::Response response, Send("PUT", "/" + config_.container, {{"restype", "container"}}, {}));
  if (response.status == 201) return OkStatus();
  std::string code = response.Header("x-ms-error-code");
  if (code.empty()) code = ParseErrorBody(AsString(response.body)).code;
  if (response.status == 409 && code == "ContainerAlreadyExists") return OkStatus();
  return Fail(ErrorFor(response, "creating the container"));
}

Status AzureStore::Put(std::string_view name, ByteView data, PutMode mode) {
  RETURN_IF_ERROR(ValidateObjectName(name));
  HeaderPairs headers;
  if (mode == PutMode::kCreateOnly) headers.emplace_back("If-None-Match", "*");
  if (!config_.tier.empty()) headers.emplace_back("x-ms-access-tier", config_.tier);
  if (!config_.immutability.empty() && RetentionApplies(name)) {
    // Version-level immutability (Put Blob and Put Block List take it alike).
    headers.emplace_back("x-ms-immutability-policy-until-date",
                         HttpDate(std::time(nullptr) + static_cast<std::time_t>(config_.lock_days) * 86400));
    headers.emplace_back("x-ms-immutability-policy-mode", config_.immutability);
  }
  if (data.size() > options_.block_threshold) return PutBlocks(name, data, std::move(headers));
  headers.emplace_back("x-ms-blob-type", "BlockBlob");
  headers.emplace_back("Content-Type", "application/octet-stream");
  headers.emplace_back("Content-MD5", http::ContentMd5(data));
  ASSIGN_OR_RETURN(http::Response response, Send("PUT", BlobPath(name), {}, std::move(headers), data));
  if (response.status == 201) return OkStatus();
  return Fail(ErrorFor(response, fmt::format("writing {}", name)));
}

Status AzureStore::PutBlocks(std::string_view name, ByteView data, HeaderPairs headers) {
  // Ids unique per upload, so concurrent uploads of one name do not mix
  // blocks; all of one blob's ids have the same length, as the service needs.
  std::string upload = HexEncode(crypto::RandomBytes(8));
  std::vector<ByteView> blocks = http::SplitIntoParts(data, options_.block_size, kMaxBlocks);
  std::vector<std::string> ids;
  std::string list = "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>";
  for (size_t i = 0; i < blocks.size(); ++i) {
    ids.push_back(Base64Encode(AsBytes(fmt::format("{}-{:08d}", upload, i))));
    list += "<Latest>" + ids.back() + "</Latest>";
  }
  list += "</BlockList>";
  RETURN_IF_ERROR(http::UploadPartsInParallel(blocks.size(), static_cast<size_t>(config_.part_uploads),
                                              [&](size_t i) { return PutBlock(name, i, ids[i], blocks[i]); }));
  headers.emplace_back("x-ms-blob-content-md5", http::ContentMd5(data));
  headers.emplace_back("x-ms-blob-content-type", "application/octet-stream");
  headers.emplace_back("Content-Type", "application/xml");
  headers.emplace_back("Content-MD5", http::ContentMd5(AsBytes(list)));
  ASSIGN_OR_RETURN(http::Response response,
                   Send("PUT", BlobPath(name), {{"comp", "blocklist"}}, std::move(headers), AsBytes(list)));
  if (response.status == 201) return OkStatus();
  return Fail(ErrorFor(response, fmt::format("writing {}", name)));
}

Status AzureStore::PutBlock(std::string_view name, size_t index, const std::string& block_id, ByteView block) {
  ASSIGN_OR_RETURN(http::Response response, Send("PUT", BlobPath(name), {{"comp", "block"}, {"blockid", block_id}},
                                                 {{"Content-MD5", http::ContentMd5(block)}}, block));
  if (response.status == 201) return OkStatus();
  return Fail(ErrorFor(response, fmt::format("writing {} (block {})", name, index + 1)));
}

Result<Bytes> AzureStore::Get(std::string_view name, uint64_t offset, uint64_t length) {
  RETURN_IF_ERROR(ValidateObjectName(name));
  std::string action = fmt::format("reading {}", name);
  if (length != kToEnd && offset > kToEnd - length) {
    return Fail(Code::kInvalidArgument, fmt::format("{}: {}: range overflows", Location(), action));
  }
  if (length == 0) {
    ASSIGN_OR_RETURN(ObjectInfo info, Stat(name));
    if (offset > info.size) {
      return Fail(Code::kInvalidArgument,
                  fmt::format("{}: {}: offset {} is past the end ({} bytes)", Location(), action, offset, info.size));
    }
    return Bytes();
  }
  if (offset != 0 || length != kToEnd) return GetRange(name, offset, length);
  ASSIGN_OR_RETURN(http::Response response, Send("GET", BlobPath(name), {}, {}));
  if (response.status != 200) return Fail(ErrorFor(response, action));
  std::string md5 = response.Header("content-md5");
  if (!md5.empty() && md5 != http::ContentMd5(response.body)) {
    return Fail(Code::kDataLoss,
                fmt::format("{}: {}: the bytes do not match the blob's Content-MD5", Location(), action));
  }
  return std::move(response.body);
}

Result<Bytes> AzureStore::GetRange(std::string_view name, uint64_t offset, uint64_t length) {
  std::string action = fmt::format("reading {}", name);
  std::string range =
      length == kToEnd ? fmt::format("bytes={}-", offset) : fmt::format("bytes={}-{}", offset, offset + length - 1);
  ASSIGN_OR_RETURN(http::Response response, Send("GET", BlobPath(name), {}, {{"x-ms-range", range}}));
  if (response.status == 416 && length == kToEnd) {
    // "bytes=SIZE-" is unsatisfiable, yet store.h calls it an empty range.
    ASSIGN_OR_RETURN(ObjectInfo info, Stat(name));
    if (offset == info.size) return Bytes();
  }
  if (response.status == 416) {
    return Fail(Code::kInvalidArgument,
                fmt::format("{}: {}: range {} is not inside the object", Location(), action, range));
  }
  if (response.status != 206 && response.status != 200) return Fail(ErrorFor(response, action));
  // Content-Range: bytes FIRST-LAST/SIZE; a range past the end comes back cut short.
  std::string content_range = response.Header("content-range");
  size_t slash = content_range.rfind('/');
  auto total = slash == std::string::npos ? std::nullopt : ParseSize(std::string_view(content_range).substr(slash + 1));
  if (response.status == 200) total = response.body.size();
  if (!total) return Fail(Code::kDataLoss, fmt::format("{}: {}: no Content-Range in the answer", Location(), action));
  uint64_t want = length == kToEnd ? *total - std::min(offset, *total) : length;
  if (offset > *total || want > *total - offset) {
    return Fail(Code::kInvalidArgument,
                fmt::format("{}: {}: range {} is not inside the object ({} bytes)", Location(), action, range, *total));
  }
  if (response.status == 200) {
    return Bytes(response.body.begin() + static_cast<ptrdiff_t>(offset),
                 response.body.begin() + static_cast<ptrdiff_t>(offset + want));
  }
  if (response.body.size() != want) {
    return Fail(Code::kDataLoss,
                fmt::format("{}: {}: asked for {} bytes, got {}", Location(), action, want, response.body.size()));
  }
  return std::move(response.body);
}

Result<ObjectInfo> AzureStore::Stat(std::string_view name) {
  RETURN_IF_ERROR(ValidateObjectName(name));
  ASSIGN_OR_RETURN(http::Response response, Send("HEAD", BlobPath(name), {}, {}));
  if (response.status != 200) return Fail(ErrorFor(response, fmt::format("reading {}", name)));
  auto size = ParseSize(response.Header("content-length"));
  if (!size) return Fail(Code::kDataLoss, fmt::format("{}: {}: no Content-Length", Location(), name));
  return ObjectInfo{std::string(name), *size};
}

Status AzureStore::RefreshRetention(std::string_view name) {
  if (config_.immutability.empty() || !RetentionApplies(name)) return OkStatus();
  RETURN_IF_ERROR(ValidateObjectName(name));
  std::string action = fmt::format("refreshing the immutability policy of {}", name);
  ASSIGN_OR_RETURN(http::Response head, Send("HEAD", BlobPath(name), {}, {}));
  if (head.status != 200) return Fail(ErrorFor(head, action));
  std::time_t now = std::time(nullptr), period = static_cast<std::time_t>(config_.lock_days) * 86400;
  std::tm tm{};
  std::string until = head.Header("x-ms-immutability-policy-until-date");
  const char* end = until.empty() ? nullptr : strptime(until.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end != nullptr && *end == '\0' && timegm(&tm) - now >= period / 2) return OkStatus();
  ASSIGN_OR_RETURN(http::Response response,
                   Send("PUT", BlobPath(name), {{"comp", "immutabilityPolicies"}},
                        {{"x-ms-immutability-policy-until-date", HttpDate(now + period)},
                         {"x-ms-immutability-policy-mode", config_.immutability}}));
  if (response.status == 200) return OkStatus();
  return Fail(ErrorFor(response, action));
}

Status AzureStore::List(std::string_view prefix, const std::function<Status(const ObjectInfo&)>& fn) {
  std::string strip = config_.prefix.empty() ? std::string() : config_.prefix + "/";
  std::string marker;
  do {
    Query query = {{"restype", "container"},
                   {"comp", "list"},
                   {"prefix", strip + std::string(prefix)},
                   {"maxresults", std::to_string(options_.list_page_size)}};
    if (!marker.empty()) query.emplace_back("marker", marker);
    ASSIGN_OR_RETURN(http::Response response, Send("GET", "/" + config_.container, query, {}));
    if (response.status != 200) return Fail(ErrorFor(response, fmt::format("listing '{}'", prefix)));
    auto page = ParseListBlobs(AsString(response.body));
    if (!page) return Fail(page.error().Context(Location()));
    for (auto& blob : page->blobs) {
      if (!blob.name.starts_with(strip)) continue;
      std::string name = blob.name.substr(strip.size());
      if (!name.starts_with(prefix) || !ValidateObjectName(name)) continue;  // not one of ours
      RETURN_IF_ERROR(fn(ObjectInfo{std::move(name), blob.size}));
    }
    marker = std::move(page->next_marker);
  } while (!marker.empty());
  return OkStatus();
}

Status AzureStore::Remove(std::string_view name) {
  RETURN_IF_ERROR(ValidateObjectName(name));
  ASSIGN_OR_RETURN(http::Response response, Send("DELETE", BlobPath(name), {}, {}));
  if (response.status == 202) return OkStatus();
  return Fail(ErrorFor(response, fmt::format("removing {}", name)));
}

}  // namespace arkiv::storage
