#include "storage/store_url_options.h"

#include <fmt/format.h>

#include <charconv>
#include <vector>

#include "core/byte_size.h"
#include "storage/http/url.h"

namespace arkiv::storage {
namespace {

Result<size_t> ParseConnections(std::string_view value) {
  size_t n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || end != value.data() + value.size() || n < 1 || n > kMaxConnections) {
    return Fail(
        Code::kInvalidArgument,
        fmt::format("store URL parameter connections: '{}' is not a number from 1 to {}", value, kMaxConnections));
  }
  return n;
}

Result<uint64_t> ParseRate(std::string_view parameter, std::string_view value) {
  return WithContext(ParseByteRate(value), fmt::format("store URL parameter {}", parameter));
}

// Sets `slot` from `value` unless it was set before.
template <typename T>
Status SetOnce(std::optional<T>& slot, std::string_view parameter, Result<T> value) {
  if (slot) return Fail(Code::kInvalidArgument, fmt::format("store URL parameter {} is given twice", parameter));
  RETURN_IF_ERROR(value);
  slot = *value;
  return OkStatus();
}

}  // namespace

Result<SplitStoreUrl> SplitStoreUrlOptions(std::string_view url) {
  SplitStoreUrl split{.url = std::string(url), .options = {}};
  size_t question = url.find('?');
  if (question == std::string_view::npos) return split;
  std::string_view query = url.substr(question + 1);
  std::vector<std::string_view> kept;
  bool removed = false;
  for (;;) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    std::string value = http::PercentDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    StoreUrlOptions& o = split.options;
    if (key == "connections") {
      RETURN_IF_ERROR(SetOnce(o.connections, key, ParseConnections(value)));
      removed = true;
    } else if (key == "upload_limit") {
      RETURN_IF_ERROR(SetOnce(o.upload_limit, key, ParseRate(key, value)));
      removed = true;
    } else if (key == "download_limit") {
      RETURN_IF_ERROR(SetOnce(o.download_limit, key, ParseRate(key, value)));
      removed = true;
    } else if (!pair.empty()) {
      // Empty pairs ("a=1&&b=2") are dropped: a local path must not keep a
      // lone '?' once the options are gone.
      kept.push_back(pair);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  if (!removed) return split;
  split.url = std::string(url.substr(0, question));
  for (size_t i = 0; i < kept.size(); ++i) {
    fmt::format_to(std::back_inserter(split.url), "{}{}", i == 0 ? '?' : '&', kept[i]);
  }
  return split;
}

}  // namespace arkiv::storage
