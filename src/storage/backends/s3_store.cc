#include "storage/backends/s3_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>

#include "storage/backends/aws_config.h"
#include "storage/backends/s3_xml.h"
#include "storage/http/content_md5.h"
#include "storage/http/parallel_parts.h"
#include "storage/http/url.h"

namespace arkiv::storage {
namespace {

constexpr uint64_t kMinPartSize = uint64_t{5} << 20;
constexpr uint64_t kMaxPartSize = uint64_t{5} << 30;
constexpr uint64_t kMaxParts = 10000;
constexpr uint64_t kMaxBytes = std::numeric_limits<uint64_t>::max();

bool IsSuccess(const http::Response& response) {
  return response.status >= 200 && response.status < 300;
}

// Parses "bytes FIRST-LAST/TOTAL"; false when malformed.
bool ParseContentRange(std::string_view text, uint64_t& first, uint64_t& last, uint64_t& total) {
  if (!text.starts_with("bytes ")) return false;
  text.remove_prefix(6);
  size_t dash = text.find('-'), slash = text.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || slash < dash) return false;
  auto number = [](std::string_view s, uint64_t& out) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size();
  };
  return number(text.substr(0, dash), first) && number(text.substr(dash + 1, slash - dash - 1), last) &&
         number(text.substr(slash + 1), total);
}

// Server messages are shown to the user; keep them short, and never let
// one echo a secret back.
std::string SafeMessage(std::string message, const AwsCredentials& credentials) {
  if (!credentials.secret_access_key.empty() && message.find(credentials.secret_access_key) != std::string::npos) {
    return "(message withheld: it quoted the secret key)";
  }
  if (message.find("Signature=") != std::string::npos) return "(message withheld: it quoted the signature)";
  if (message.size() > 300) message = message.substr(0, 300) + "...";
  return message;
}

Status ApplyUrlParameter(S3Options& options, std::string_view name, const std::string& value) {
  if (name == "endpoint") {
    options.endpoint = value;
  } else if (name == "region") {
    options.region = value;
  } else if (name == "path_style") {
    if (value != "true" && value != "false") {
      return Fail(Code::kInvalidArgument, "s3 URL: path_style must be true or false");
    }
    options.path_style = value == "true";
  } else if (name == "storage_class") {
    options.storage_class = value;
  } else if (name == "multipart_threshold") {
    ASSIGN_OR_RETURN(options.multipart_threshold, http::ParseNumberParameter(name, value, 0, kMaxBytes));
  } else if (name == "part_size") {
    ASSIGN_OR_RETURN(options.part_size, http::ParseNumberParameter(name, value, kMinPartSize, kMaxPartSize));
  } else if (name == "part_uploads") {
    ASSIGN_OR_RETURN(uint64_t count, http::ParseNumberParameter(name, value, 1, 64));
    options.part_uploads = static_cast<int>(count);
  } else if (name == "timeout") {
    ASSIGN_OR_RETURN(options.timeout_seconds, http::ParseTimeoutParameter(value));
  } else if (name == "object_lock" || name == "lock_days") {
    RETURN_IF_ERROR(ApplyObjectLockParameter(options.object_lock, name, value));
  } else if (name == "connections") {
    // Validated and enforced by the wrapper that limits the store; here only
    // a hint for the connection pool.
    if (auto count = http::ParseNumberParameter(name, value, 1, 1024)) options.connections = static_cast<int>(*count);
  } else if (!http::IsStoreWideParameter(name)) {
    return Fail(Code::kInvalidArgument,
                fmt::format("s3 URL: unknown parameter '{}' (known: endpoint, region, path_style, storage_class, "
                            "multipart_threshold, part_size, part_uploads, timeout, object_lock, lock_days, and connections, "
                            "upload_limit, download_limit for every store)",
                            name));
  }
  return OkStatus();
}

}  // namespace

Code S3ErrorCode(int http_status, std::string_view s3_code) {
  if (s3_code == "NoSuchBucket") return Code::kFailedPrecondition;
  // A body that does not match its signed SHA-256 or Content-MD5 was most
  // likely damaged on the way: sending it again may get through.
  if (s3_code == "SlowDown" || s3_code == "RequestTimeout" || s3_code == "InternalError" ||
      s3_code == "ServiceUnavailable" || s3_code == "XAmzContentSHA256Mismatch" || s3_code == "BadDigest") {
    return Code::kUnavailable;
  }
  if (s3_code == "InvalidAccessKeyId" || s3_code == "ExpiredToken" || s3_code == "InvalidToken" ||
      s3_code == "AuthorizationHeaderMalformed") {
    return Code::kPermissionDenied;
  }
  return http::CodeForHttpStatus(http_status);
}

Result<S3Options> S3Store::ParseUrl(std::string_view url, std::string_view profile) {
  auto split = http::SplitStoreUrl(url, "s3://");
  if (!split) return Fail(split.error().Context(url));
  std::string_view rest = split->location;
  S3Options options;
  size_t slash = rest.find('/');
  options.bucket = std::string(rest.substr(0, slash));
  if (slash != std::string_view::npos) {
    std::string_view prefix = rest.substr(slash + 1);
    while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
    options.prefix = std::string(prefix);
  }
  if (options.bucket.empty())
    return Fail(Code::kInvalidArgument, fmt::format("{}: no bucket (s3://BUCKET/PREFIX)", url));
  if (!options.prefix.empty() && !ValidateObjectName(options.prefix)) {
    return Fail(Code::kInvalidArgument, fmt::format("{}: '{}' is not a valid prefix", url, options.prefix));
  }
  bool region_given = false, path_style_given = false;
  for (const auto& [name, value] : split->parameters) {
    RETURN_IF_ERROR(WithContext(ApplyUrlParameter(options, name, value), url));
    region_given |= name == "region";
    path_style_given |= name == "path_style";
  }
  RETURN_IF_ERROR(WithContext(CheckObjectLock(options.object_lock), url));
  if (!region_given) options.region = LoadAwsRegion(profile).value_or("us-east-1");
  // Stand-ins rarely resolve BUCKET.HOST; AWS prefers virtual hosts.
  if (!path_style_given) options.path_style = !options.endpoint.empty();
  return options;
}

Result<std::shared_ptr<S3Store>> S3Store::Open(std::string_view url, const StoreCredentials& given) {
  ASSIGN_OR_RETURN(S3Options options, ParseUrl(url, given.profile));
  auto credentials = LoadAwsCredentials(given);
  if (!credentials) return Fail(credentials.error().Context(fmt::format("s3://{}", options.bucket)));
  options.credentials = std::move(*credentials);
  return std::make_shared<S3Store>(std::move(options));
}

namespace {

http::ClientOptions ClientOptionsFor(const S3Options& options) {
  http::ClientOptions client;
  // Every call in flight may be a multipart Put with part_uploads requests.
  client.max_idle_handles =
      static_cast<size_t>(std::max(options.connections, 1)) * static_cast<size_t>(std::max(options.part_uploads, 1));
  http::ApplyTimeout(options.timeout_seconds, client);
  return client;
}

}  // namespace

S3Store::S3Store(S3Options options)
    : options_(std::move(options)), client_(std::make_shared<http::Client>(ClientOptionsFor(options_))) {
  if (!options_.prefix.empty()) key_prefix_ = options_.prefix + "/";
  std::string endpoint = options_.endpoint;
  if (endpoint.empty()) endpoint = fmt::format("https://s3.{}.amazonaws.com", options_.region);
  size_t colon = endpoint.find("://");
  scheme_ = colon == std::string::npos ? "https" : endpoint.substr(0, colon);
  host_ = colon == std::string::npos ? endpoint : endpoint.substr(colon + 3);
  host_ = host_.substr(0, host_.find('/'));
  if (!options_.path_style) host_ = options_.bucket + "." + host_;
}

std::string S3Store::Location() const {
  return options_.prefix.empty() ? "s3://" + options_.bucket
                                 : fmt::format("s3://{}/{}", options_.bucket, options_.prefix);
}

std::string S3Store::PathOf(std::string_view key) const {
  std::string path = options_.path_style ? "/" + options_.bucket : "";
  if (!key.empty() || !options_.path_style) path += "/" + http::PercentEncode(key, true);
  return path;
}

Result<http::Response> S3Store::Send(const std::string& method, std::string_view key, const Pairs& query, Pairs headers,
                                     ByteView body, std::string_view payload_hash) {
  std::string amz_date = AmzDate(std::chrono::system_clock::now());
  SigningRequest signing;
  signing.method = method;
  signing.canonical_uri = PathOf(key);
  signing.query = query;
  signing.payload_hash = payload_hash.empty() ? Sha256Hex(body) : std::string(payload_hash);
  headers.emplace_back("Host", host_);
  headers.emplace_back("x-amz-date", amz_date);
  headers.emplace_back("x-amz-content-sha256", signing.payload_hash);
  if (!options_.credentials.session_token.empty()) {
    headers.emplace_back("x-amz-security-token", options_.credentials.session_token);
  }
  signing.headers = headers;
  headers.emplace_back("Authorization",
                       SigV4Authorization(options_.credentials, options_.region, "s3", amz_date, signing));
  http::Request request;
  request.method = method;
  request.url = scheme_ + "://" + host_ + signing.canonical_uri;
  if (!query.empty()) request.url += "?" + CanonicalQueryString(query);
  request.headers = std::move(headers);
  request.body = body;
  auto response = client_->Send(request);
  if (!response) return Fail(response.error().Context(fmt::format("{}: request to S3 failed", Location())));
  return response;
}

Error S3Store::ErrorOf(const http::Response& response, std::string_view what) const {
  auto body = ParseS3Error(AsString(response.body));
  std::string s3_code = body ? body->code : "";
  std::string answer = fmt::format("S3 answered HTTP {}", response.status);
  if (!s3_code.empty()) answer += " " + s3_code;
  if (body && !body->message.empty()) answer += ": " + SafeMessage(body->message, options_.credentials);
  std::string context = fmt::format("{}: {}", Location(), what);
  if (s3_code == "NoSuchBucket") {
    return Error(Code::kFailedPrecondition,
                 fmt::format("{}: bucket '{}' does not exist at {}; create it with `arkiv init --create-bucket` "
                             "or `aws s3 mb s3://{}`",
                             context, options_.bucket,
                             options_.endpoint.empty() ? fmt::format("https://s3.{}.amazonaws.com", options_.region)
                                                       : options_.endpoint,
                             options_.bucket));
  }
  Code code = S3ErrorCode(response.status, s3_code);
  if (code != Code::kPermissionDenied) return Error(code, fmt::format("{}: {}", context, answer));
  if (s3_code == "RequestTimeTooSkewed") {
    return Error(code, fmt::format("{}: {} (check this machine's clock)", context, answer));
  }
  // The server's message is left out: some quote the string to sign.
  std::string status = fmt::format("HTTP {}{}{}", response.status, s3_code.empty() ? "" : " ", s3_code);
  if (s3_code == "AccessDenied") {
    return Error(code, fmt::format("{}: S3 denied access ({}); check the permissions of the credentials on bucket "
                                   "'{}'",
                                   context, status, options_.bucket));
  }
  // A HEAD reply has no body to say which: either may be wrong.
  std::string what_failed =
      s3_code.empty() ? "refused the credentials or their permissions" : "rejected the credentials";
  return Error(code, fmt::format("{}: S3 {} ({}); check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the AWS "
                                 "profile) and their permissions",
                                 context, what_failed, status));
}

Status S3Store::CreateBucket() {
  std::string body;
  if (options_.region != "us-east-1") {
    body = fmt::format(
        "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        "<LocationConstraint>{}</LocationConstraint></CreateBucketConfiguration>",
        XmlEscape(options_.region));
  }
  Pairs headers;
  // Object Lock can only be enabled when the bucket is created.
  if (options_.object_lock.enabled()) headers.emplace_back("x-amz-bucket-object-lock-enabled", "true");
  ASSIGN_OR_RETURN(auto response, Send("PUT", "", {}, std::move(headers), AsBytes(body)));
  if (IsSuccess(response)) return OkStatus();
  auto error = ParseS3Error(AsString(response.body));
  if (error && error->code == "BucketAlreadyOwnedByYou") return OkStatus();
  if (error && error->code == "BucketAlreadyExists") {
    return Fail(Code::kAlreadyExists,
                fmt::format("{}: bucket name '{}' is taken by another account", Location(), options_.bucket));
  }
  return Fail(ErrorOf(response, "create bucket"));
}

Status S3Store::Put(std::string_view name, ByteView data, PutMode mode) {
  RETURN_IF_ERROR(ValidateObjectName(name));
  if (data.size() > options_.multipart_threshold) return PutMultipart(name, data, mode);
  Pairs headers;
  if (mode == PutMode::kCreateOnly) headers.emplace_back("If-None-Match", "*");
  if (!options_.storage_class.empty()) headers.emplace_back("x-amz-storage-class", options_.storage_class);
  AddLockHeaders(name, data, headers);
  ASSIGN_OR_RETURN(auto response,
                   Send("PUT", KeyOf(name), {}, std::move(headers), data, ContentHashInName(name).value_or("")));
  if (IsSuccess(response)) return OkStatus();
  if (mode == PutMode::kCreateOnly && (response.status == 412 || response.status == 409)) {
    return Fail(Code::kAlreadyExists, fmt::format("{}: object {} already exists", Location(), name));
  }
  return Fail(ErrorOf(response, fmt::format("put {}", name)));
}

Status S3Store::PutMultipart(std::string_view name, ByteView data, PutMode mode) {
  std::string key = KeyOf(name);
  std::string what = fmt::format("put {} (multipart)", name);
  Pairs headers;
  if (!options_.storage_class.empty()) headers.emplace_back("x-amz-storage-class", options_.storage_class);
  auto started = std::chrono::system_clock::now();
  bool lock = options_.object_lock.Applies(name);
  if (lock) {
    for (auto& header : options_.object_lock.Headers(started)) headers.push_back(header);
  }
  ASSIGN_OR_RETURN(auto created, Send("POST", key, {{"uploads", ""}}, std::move(headers)));
  if (!IsSuccess(created)) return Fail(ErrorOf(created, what));
  std::string upload_id = XmlElementText(AsString(created.body), "UploadId").value_or("");
  if (upload_id.empty())
    return Fail(Code::kUnavailable, fmt::format("{}: {}: no UploadId in the reply", Location(), what));

  std::vector<std::string> etags;
  Status status = UploadParts(name, upload_id, data, etags);
  if (status) status = CompleteMultipart(name, upload_id, etags, mode);
  if (status && lock) return PutRetention(name, started);
  if (!status) {
    // Parts of an unfinished upload are billed until aborted; failing to
    // abort only leaves them to the bucket's lifecycle rules.
    (void)Send("DELETE", key, {{"uploadId", upload_id}});
  }
  return status;
}

Status S3Store::UploadParts(std::string_view name, const std::string& upload_id, ByteView data,
                            std::vector<std::string>& etags) {
  std::vector<ByteView> parts = http::SplitIntoParts(data, options_.part_size, kMaxParts);
  etags.assign(parts.size(), "");
  return http::UploadPartsInParallel(parts.size(), static_cast<size_t>(std::max(options_.part_uploads, 1)),
                                     [&](size_t i) { return UploadPart(name, upload_id, i + 1, parts[i], etags[i]); });
}

Status S3Store::UploadPart(std::string_view name, const std::string& upload_id, size_t number, ByteView part,
                           std::string& etag) {
  std::string what = fmt::format("put {} (multipart): part {}", name, number);
  Pairs headers;
  if (options_.object_lock.Applies(name)) headers.emplace_back("Content-MD5", http::ContentMd5(part));
  ASSIGN_OR_RETURN(auto response, Send("PUT", KeyOf(name),
                                       {{"partNumber", std::to_string(number)}, {"uploadId", upload_id}},
                                       std::move(headers), part));
  if (!IsSuccess(response)) return Fail(ErrorOf(response, what));
  etag = response.Header("etag");
  if (etag.empty()) return Fail(Code::kUnavailable, fmt::format("{}: {}: no ETag in the reply", Location(), what));
  return OkStatus();
}

Status S3Store::CompleteMultipart(std::string_view name, const std::string& upload_id,
                                  const std::vector<std::string>& etags, PutMode mode) {
  std::string body = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  for (size_t i = 0; i < etags.size(); ++i) {
    body += fmt::format("<Part><PartNumber>{}</PartNumber><ETag>{}</ETag></Part>", i + 1, XmlEscape(etags[i]));
  }
  body += "</CompleteMultipartUpload>";
  Pairs headers;
  if (mode == PutMode::kCreateOnly) headers.emplace_back("If-None-Match", "*");
  ASSIGN_OR_RETURN(auto response,
                   Send("POST", KeyOf(name), {{"uploadId", upload_id}}, std::move(headers), AsBytes(body)));
  if (mode == PutMode::kCreateOnly && (response.status == 412 || response.status == 409)) {
    return Fail(Code::kAlreadyExists, fmt::format("{}: object {} already exists", Location(), name));
  }
  // S3 may answer 200 and report a failure in the body.
  if (IsSuccess(response) && !ParseS3Error(AsString(response.body))) return OkStatus();
  Error error = ErrorOf(response, fmt::format("put {} (complete multipart)", name));
  if (IsSuccess(response)) return Fail(Code::kUnavailable, error.message());
  return Fail(error);
}

Result<std::optional<std::chrono::system_clock::time_point>> S3Store::RetainedUntil(std::string_view name) {
  ASSIGN_OR_RETURN(auto head, Head(name));
  return ParseRetainUntil(head.Header("x-amz-object-lock-retain-until-date"));
}

Status S3Store::RefreshRetention(std::string_view name) {
  if (!options_.object_lock.Applies(name)) return OkStatus();
  ASSIGN_OR_RETURN(auto until, RetainedUntil(name));
  auto now = std::chrono::system_clock::now();
  if (until && *until - now >= std::chrono::days(options_.object_lock.days) / 2) return OkStatus();
  return PutRetention(name, now);
}

Status S3Store::PutRetention(std::string_view name, std::chrono::system_clock::time_point started) {
  std::string body = options_.object_lock.RetentionXml(started);
  Pairs headers{{"Content-MD5", http::ContentMd5(AsBytes(body))}};
  ASSIGN_OR_RETURN(auto response, Send("PUT", KeyOf(name), {{"retention", ""}}, std::move(headers), AsBytes(body)));
  if (IsSuccess(response)) return OkStatus();
  return Fail(ErrorOf(response, fmt::format("put {}: set its Object Lock retention", name)));
}

Result<Bytes> S3Store::Get(std::string_view name, uint64_t offset, uint64_t length) {
  RETURN_IF_ERROR(ValidateObjectName(name));
  if (length == 0) {
    ASSIGN_OR_RETURN(ObjectInfo info, Stat(name));
    if (offset > info.size) return Fail(Outside(name, offset, length, info.size));
    return Bytes();
  }
  if (length != kToEnd && length > kToEnd - offset) return Fail(Outside(name, offset, length, std::nullopt));
  if (offset > 0 || length != kToEnd) return GetRange(name, offset, length);
  ASSIGN_OR_RETURN(auto response, Send("GET", KeyOf(name), {}));
  if (response.status == 404) return Fail(NotFound(response, name, fmt::format("get {}", name)));
  if (!IsSuccess(response)) return Fail(ErrorOf(response, fmt::format("get {}", name)));
  return std::move(response.body);
}

Error S3Store::NotFound(const http::Response& response, std::string_view name, std::string_view what) const {
  // A missing bucket is a 404 too; HEAD replies have no body to tell.
  auto body = ParseS3Error(AsString(response.body));
  if (body && body->code == "NoSuchBucket") return ErrorOf(response, what);
  return Error(Code::kNotFound, fmt::format("{}: object {} not found", Location(), name));
}

Error S3Store::Outside(std::string_view name, uint64_t offset, uint64_t length, std::optional<uint64_t> size) const {
  return Error(Code::kInvalidArgument, fmt::format("{}: range {}+{} outside {}{}", Location(), offset,
                                                   length == kToEnd ? "end" : std::to_string(length), name,
                                                   size ? fmt::format(" ({} bytes)", *size) : ""));
}

Result<Bytes> S3Store::GetRange(std::string_view name, uint64_t offset, uint64_t length) {
  bool to_end = length == kToEnd;
  std::string what = fmt::format("get {} bytes {}+{}", name, offset, to_end ? "end" : std::to_string(length));
  Pairs headers{
      {"Range", to_end ? fmt::format("bytes={}-", offset) : fmt::format("bytes={}-{}", offset, offset + length - 1)}};
  ASSIGN_OR_RETURN(auto response, Send("GET", KeyOf(name), {}, std::move(headers)));
  if (response.status == 404) return Fail(NotFound(response, name, what));
  if (response.status == 416) {
    if (!to_end) return Fail(Outside(name, offset, length, std::nullopt));
    // S3 refuses the empty range at the very end, which the contract allows.
    ASSIGN_OR_RETURN(ObjectInfo info, Stat(name));
    if (offset == info.size) return Bytes();
    return Fail(Outside(name, offset, length, info.size));
  }
  if (!IsSuccess(response)) return Fail(ErrorOf(response, what));
  Bytes& body = response.body;
  if (response.status == 200) {
    // The whole object: the server ignored the range.
    if (offset > body.size() || (!to_end && length > body.size() - offset)) {
      return Fail(Outside(name, offset, length, body.size()));
    }
    uint64_t end = to_end ? body.size() : offset + length;
    return Bytes(body.begin() + static_cast<ptrdiff_t>(offset), body.begin() + static_cast<ptrdiff_t>(end));
  }
  uint64_t first = 0, last = 0, total = 0;
  if (!ParseContentRange(response.Header("content-range"), first, last, total) || first != offset) {
    return Fail(Code::kDataLoss, fmt::format("{}: {}: the reply's Content-Range '{}' does not match", Location(), what,
                                             response.Header("content-range")));
  }
  if (!to_end && offset + length > total) return Fail(Outside(name, offset, length, total));
  uint64_t expected = to_end ? total - offset : length;
  if (body.size() != expected || last != offset + expected - 1) {
    return Fail(Code::kDataLoss, fmt::format("{}: {}: got {} bytes", Location(), what, body.size()));
  }
  return std::move(body);
}

void S3Store::AddLockHeaders(std::string_view name, ByteView data, Pairs& headers) const {
  if (!options_.object_lock.Applies(name)) return;
  for (auto& header : options_.object_lock.Headers(std::chrono::system_clock::now())) headers.push_back(header);
  headers.emplace_back("Content-MD5", http::ContentMd5(data));
}

Result<http::Response> S3Store::Head(std::string_view name) {
  RETURN_IF_ERROR(ValidateObjectName(name));
  ASSIGN_OR_RETURN(auto response, Send("HEAD", KeyOf(name), {}));
  if (response.status == 404) return Fail(Code::kNotFound, fmt::format("{}: object {} not found", Location(), name));
  if (!IsSuccess(response)) return Fail(ErrorOf(response, fmt::format("stat {}", name)));
  return response;
}

Result<ObjectInfo> S3Store::Stat(std::string_view name) {
  ASSIGN_OR_RETURN(auto response, Head(name));
  std::string length = response.Header("content-length");
  ObjectInfo info{std::string(name), 0};
  auto [end, ec] = std::from_chars(length.data(), length.data() + length.size(), info.size);
  if (ec != std::errc() || end != length.data() + length.size()) {
    return Fail(Code::kUnavailable, fmt::format("{}: stat {}: no Content-Length in the reply", Location(), name));
  }
  return info;
}

Status S3Store::List(std::string_view prefix, const std::function<Status(const ObjectInfo&)>& fn) {
  // No object name starts with a directory part that is not itself a
  // valid name ("/etc/", "../").
  size_t slash = prefix.rfind('/');
  if (slash != std::string_view::npos && !ValidateObjectName(prefix.substr(0, slash))) return OkStatus();
  std::string token;
  do {
    Pairs query{{"list-type", "2"}, {"prefix", KeyOf(prefix)}};
    if (!token.empty()) query.emplace_back("continuation-token", token);
    ASSIGN_OR_RETURN(auto response, Send("GET", "", query));
    std::string what = fmt::format("list {}", prefix);
    if (!IsSuccess(response)) return Fail(ErrorOf(response, what));
    auto page = ParseListObjectsV2(AsString(response.body));
    if (!page) return Fail(Code::kUnavailable, fmt::format("{}: {}: the reply is no listing", Location(), what));
    for (const auto& object : page->objects) {
      if (!object.key.starts_with(key_prefix_)) continue;
      std::string name = object.key.substr(key_prefix_.size());
      if (!ValidateObjectName(name)) continue;
      RETURN_IF_ERROR(fn(ObjectInfo{std::move(name), object.size}));
    }
    if (page->truncated && page->next_continuation_token.empty()) {
      return Fail(Code::kUnavailable, fmt::format("{}: {}: truncated listing without a token", Location(), what));
    }
    token = page->truncated ? page->next_continuation_token : "";
  } while (!token.empty());
  return OkStatus();
}

Status S3Store::Remove(std::string_view name) {
  // DELETE succeeds for missing keys; the contract wants kNotFound. The HEAD
  // also tells the retention: under Object Lock a DELETE would succeed and
  // only hide the object behind a delete marker, so a retained object is
  // left alone and the caller told until when (prune keeps it for later).
  ASSIGN_OR_RETURN(auto head, Head(name));
  if (auto until = ParseRetainUntil(head.Header("x-amz-object-lock-retain-until-date"));
      until && *until > std::chrono::system_clock::now()) {
    std::string mode = head.Header("x-amz-object-lock-mode");
    return Fail(Code::kRetained, fmt::format("{}: object {} is retained by S3 Object Lock{} until {}", Location(), name,
                                             mode.empty() ? "" : " (" + mode + ")", FormatRetainUntil(*until)));
  }
  ASSIGN_OR_RETURN(auto response, Send("DELETE", KeyOf(name), {}));
  if (IsSuccess(response)) return OkStatus();
  return Fail(ErrorOf(response, fmt::format("remove {}", name)));
}

}  // namespace arkiv::storage
