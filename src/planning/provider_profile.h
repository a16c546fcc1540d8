// What one cloud costs, how reliable it is and how fast it serves, for the
// planning models (docs/planning.md): storage, egress and request prices,
// minimum durations, availability, the probability of losing the whole
// cloud within a year, and throughput and latency.
//
// A default profile per provider kind comes from a dated table of list
// prices (docs/planning.md names the sources); every value can be
// overridden per cloud (ApplyOverrides), because prices change and because
// loss probabilities and speeds are assumptions until measured.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace arkiv::planning {

// The date of the default price table; printed wherever a cost is.
inline constexpr std::string_view kPriceTableDate = "2026-09";

// Bytes per billed GB: AWS, Azure and GCS bill binary gigabytes.
inline constexpr double kBytesPerGb = 1024.0 * 1024.0 * 1024.0;

// Prices in USD. Requests are priced per 1,000.
struct ProviderProfile {
  std::string kind;         // "s3-standard", "b2", "local", … (KnownKinds)
  std::string description;  // "AWS S3 Standard"
  double storage_per_gb_month = 0;
  double egress_per_gb = 0;      // download to the Internet, beyond the free allowance
  double egress_free_gb = 0;     // free downloads a month (GB)
  double egress_free_ratio = 0;  // free downloads a month, as a multiple of the stored volume
  double retrieval_per_gb = 0;   // read fee of infrequent-access classes, on top of egress
  double put_per_1000 = 0;       // PUT, COPY (class A)
  double get_per_1000 = 0;       // GET (class B)
  double list_per_1000 = 0;      // LIST
  double minimum_days = 0;       // objects deleted earlier are billed this long
  double minimum_gb = 0;         // smallest monthly storage bill (GB)
  double availability = 1;       // fraction of the time requests succeed
  double loss_per_year = 0;      // probability of losing everything on this cloud within a year
  double download_rate = 0;      // bytes per second, all connections together
  double latency = 0;            // seconds to the first byte of a request
  double connections = 8;        // requests in flight at once
  std::string source;            // where the prices come from, with a date
  std::string assumptions;       // which values are assumptions or need verifying
};

// The provider kinds of the default table, in table order.
std::vector<std::string> KnownKinds();

// The default profile of `kind`; kInvalidArgument naming the known kinds.
Result<ProviderProfile> DefaultProfile(std::string_view kind);

// The keys ApplyOverrides accepts besides "kind", in table order.
std::vector<std::string> ProfileKeys();
// The value of numeric key `key` (ProfileKeys) of `profile`.
double ProfileValue(const ProviderProfile& profile, std::string_view key);

// Sets values of `profile` from text: prices and counts as numbers ≥ 0,
// availability and loss_per_year as probabilities, download_rate as a rate
// ("50MiB", "10MB/s"), latency as a duration ("60ms"). "kind" is applied
// first and replaces every value by that kind's defaults. kInvalidArgument
// naming the key and the value: an unknown key, a value out of range.
Status ApplyOverrides(ProviderProfile& profile, const std::map<std::string, std::string>& overrides);

// The provider kind a store URL most likely points at: the S3 endpoint's
// host (amazonaws.com, backblazeb2.com, wasabisys.com,
// r2.cloudflarestorage.com, storage.googleapis.com; none is AWS) and its
// storage_class, the Azure tier, sftp, or a local path. An S3 endpoint of no
// known provider (MinIO, a test server) is "s3-compatible".
std::string GuessKind(std::string_view url);

}  // namespace arkiv::planning
