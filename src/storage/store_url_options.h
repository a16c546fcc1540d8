// Options any store URL may carry, whatever its scheme. OpenStore reads them
// and removes them before the backend parses the URL, so backends never see
// them:
//   connections=N      calls in flight to the store at once, 1 to 256
//                      (cloud stores: 8 when not given)
//   upload_limit=RATE  bytes per second through puts: 10MiB, 500KiB, 1000
//                      (core/byte_size.h); 0 means no limit
//   download_limit=RATE  the same for gets
// e.g. s3://bucket/repo?region=eu-west-1&connections=16&upload_limit=20MiB
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace arkiv::storage {

inline constexpr size_t kMaxConnections = 256;

struct StoreUrlOptions {
  std::optional<size_t> connections;
  std::optional<uint64_t> upload_limit;    // bytes per second, 0: none
  std::optional<uint64_t> download_limit;  // bytes per second, 0: none
};

struct SplitStoreUrl {
  std::string url;  // the URL without the options above (unchanged if it had none)
  StoreUrlOptions options;
};

// Splits the options off `url`. kInvalidArgument naming the parameter for a
// bad or repeated value; the message does not repeat the URL, which may hold
// a secret (an Azure sas=). Other parameters are kept as they were written.
Result<SplitStoreUrl> SplitStoreUrlOptions(std::string_view url);

}  // namespace arkiv::storage
