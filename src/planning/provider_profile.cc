#include "planning/provider_profile.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/byte_size.h"
#include "planning/duration.h"
#include "storage/http/url.h"

namespace arkiv::planning {
namespace {

// Planning assumptions, not prices (docs/planning.md, "Assumptions"):
// losing a whole commercial cloud within a year (account closed or locked
// for billing, credentials stolen and the bucket wiped, an operator's
// mistake, the provider leaving the market) is taken as 1 %; these risks
// come from how the account is run more than from the provider, so every
// provider gets the same value. One machine (a disk, a NAS) is taken as 5 %:
// hardware, fire or theft, and ransomware on the same network.
constexpr double kCloudLoss = 0.01;
constexpr double kOwnMachineLoss = 0.05;
constexpr double kMiB = 1024.0 * 1024.0;
// Speeds of a restore over a 1 Gbit/s line with 8 connections, until
// measured (`arkiv plan --measure`).
constexpr double kCloudRate = 50 * kMiB;
constexpr double kCloudLatency = 0.05;

// S3's request prices, used for classes whose own are not in the sourced
// table (marked in `assumptions`).
constexpr double kS3Put = 0.005;
constexpr double kS3Get = 0.0004;

std::vector<ProviderProfile> DefaultTable() {
  auto cloud = [](std::string kind, std::string description, double storage, double egress) {
    ProviderProfile p;
    p.kind = std::move(kind);
    p.description = std::move(description);
    p.storage_per_gb_month = storage;
    p.egress_per_gb = egress;
    p.put_per_1000 = kS3Put;
    p.get_per_1000 = kS3Get;
    p.list_per_1000 = kS3Put;
    p.availability = 0.999;
    p.loss_per_year = kCloudLoss;
    p.download_rate = kCloudRate;
    p.latency = kCloudLatency;
    return p;
  };
  std::vector<ProviderProfile> table;

  const std::string aws_source =
      "aws.amazon.com/s3/pricing (2026-09), requests (2026-05), SLA aws.amazon.com/s3/sla (2023-11-28)";
  auto s3 = cloud("s3-standard", "AWS S3 Standard", 0.023, 0.09);
  s3.egress_free_gb = 100;
  s3.source = aws_source;
  s3.assumptions = "availability is the 99.9 % SLA (designed for 99.99 %); egress is the first-10-TB tier";
  table.push_back(s3);
  auto ia = s3;
  ia.kind = "s3-ia";
  ia.description = "AWS S3 Standard-IA";
  ia.storage_per_gb_month = 0.0125;
  ia.retrieval_per_gb = 0.01;
  ia.minimum_days = 30;
  ia.availability = 0.99;
  ia.assumptions = "retrieval fee and request prices (S3 Standard's) are not in the sourced table: verify";
  table.push_back(ia);
  auto glacier = ia;
  glacier.kind = "s3-glacier-ir";
  glacier.description = "AWS S3 Glacier Instant Retrieval";
  glacier.storage_per_gb_month = 0.004;
  glacier.retrieval_per_gb = 0.03;
  glacier.minimum_days = 90;
  table.push_back(glacier);

  auto hot = cloud("azure-hot", "Azure Blob Hot (LRS)", 0.018, 0.087);
  hot.source = "Azure pricing (2026), learn.microsoft.com access tiers (2026-06)";
  hot.assumptions = "request prices are S3's and availability is assumed (tier SLAs not in the sourced table): verify";
  table.push_back(hot);
  auto cool = hot;
  cool.kind = "azure-cool";
  cool.description = "Azure Blob Cool (LRS)";
  cool.storage_per_gb_month = 0.01;
  cool.retrieval_per_gb = 0.01;
  cool.minimum_days = 30;
  cool.availability = 0.99;
  cool.assumptions = "read fee, request prices (S3's) and availability are not in the sourced table: verify";
  table.push_back(cool);
  auto cold = cool;
  cold.kind = "azure-cold";
  cold.description = "Azure Blob Cold (LRS)";
  cold.storage_per_gb_month = 0.0036;
  cold.retrieval_per_gb = 0.03;
  cold.minimum_days = 90;
  table.push_back(cold);

  auto gcs = cloud("gcs-standard", "Google Cloud Storage Standard", 0.020, 0.12);
  gcs.availability = 0.9999;
  gcs.source = "cloud.google.com/storage/pricing (2026-09)";
  gcs.assumptions = "egress is the table's upper bound; request prices are S3's: verify";
  table.push_back(gcs);
  auto nearline = gcs;
  nearline.kind = "gcs-nearline";
  nearline.description = "Google Cloud Storage Nearline";
  nearline.storage_per_gb_month = 0.010;
  nearline.retrieval_per_gb = 0.01;
  nearline.minimum_days = 30;
  nearline.availability = 0.999;
  nearline.assumptions = "retrieval fee and request prices (S3's) are not in the sourced table: verify";
  table.push_back(nearline);

  auto b2 = cloud("b2", "Backblaze B2", 0.006, 0.01);
  b2.egress_free_ratio = 3;
  b2.put_per_1000 = 0;
  b2.get_per_1000 = 0.0004;  // class B, $0.004 per 10,000
  b2.list_per_1000 = 0.004;  // class C, $0.004 per 1,000
  b2.source = "Backblaze pricing (2026-05)";
  b2.assumptions = "uploads (class A) taken as free; availability assumed (no SLA in the sourced table)";
  table.push_back(b2);

  auto wasabi = cloud("wasabi", "Wasabi (pay-as-you-go)", 0.00599, 0);
  wasabi.egress_free_ratio = 1;
  wasabi.put_per_1000 = wasabi.get_per_1000 = wasabi.list_per_1000 = 0;
  wasabi.minimum_days = 90;
  wasabi.minimum_gb = 1024;
  wasabi.source = "wasabi.com pricing FAQ (2019)";
  wasabi.assumptions =
      "storage price from the 2019 FAQ, later figures conflict: verify; egress beyond the stored volume and "
      "requests not priced; availability assumed";
  table.push_back(wasabi);

  auto r2 = cloud("r2", "Cloudflare R2 Standard", 0.015, 0);
  r2.put_per_1000 = 0.0045;   // class A, $4.50 per million
  r2.get_per_1000 = 0.00036;  // class B, $0.36 per million
  r2.list_per_1000 = 0.0045;  // LIST is a class A operation
  r2.source = "developers.cloudflare.com/r2/pricing (2026-06)";
  r2.assumptions = "availability assumed (no SLA in the sourced table)";
  table.push_back(r2);
  auto r2_ia = r2;
  r2_ia.kind = "r2-ia";
  r2_ia.description = "Cloudflare R2 Infrequent Access";
  r2_ia.storage_per_gb_month = 0.01;
  r2_ia.retrieval_per_gb = 0.01;
  r2_ia.minimum_days = 30;
  r2_ia.assumptions = "request prices are R2 Standard's; availability assumed: verify";
  table.push_back(r2_ia);

  auto own = [&](std::string kind, std::string description, double rate, double latency) {
    ProviderProfile p = cloud(std::move(kind), std::move(description), 0, 0);
    p.put_per_1000 = p.get_per_1000 = p.list_per_1000 = 0;
    p.availability = 0.99;
    p.loss_per_year = kOwnMachineLoss;
    p.download_rate = rate;
    p.latency = latency;
    p.source = "no prices (own hardware)";
    p.assumptions = "availability, loss and speed are assumptions for one machine";
    return p;
  };
  table.push_back(own("local", "local directory or disk", 500 * kMiB, 0.001));
  table.push_back(own("sftp", "SFTP server (own hardware)", 25 * kMiB, 0.02));
  auto compatible = own("s3-compatible", "S3-compatible service of unknown prices", kCloudRate, kCloudLatency);
  compatible.source = "unknown: set its prices";
  compatible.assumptions = "prices unknown (0); availability, loss and speed are assumptions";
  table.push_back(compatible);
  return table;
}

const std::vector<ProviderProfile>& Table() {
  static const std::vector<ProviderProfile> table = DefaultTable();
  return table;
}

enum class Unit { kNumber, kProbability, kRate, kDuration, kCount };

struct Field {
  const char* key;
  double ProviderProfile::*member;
  Unit unit;
};

constexpr Field kFields[] = {
    {"storage_per_gb_month", &ProviderProfile::storage_per_gb_month, Unit::kNumber},
    {"egress_per_gb", &ProviderProfile::egress_per_gb, Unit::kNumber},
    {"egress_free_gb", &ProviderProfile::egress_free_gb, Unit::kNumber},
    {"egress_free_ratio", &ProviderProfile::egress_free_ratio, Unit::kNumber},
    {"retrieval_per_gb", &ProviderProfile::retrieval_per_gb, Unit::kNumber},
    {"put_per_1000", &ProviderProfile::put_per_1000, Unit::kNumber},
    {"get_per_1000", &ProviderProfile::get_per_1000, Unit::kNumber},
    {"list_per_1000", &ProviderProfile::list_per_1000, Unit::kNumber},
    {"minimum_days", &ProviderProfile::minimum_days, Unit::kNumber},
    {"minimum_gb", &ProviderProfile::minimum_gb, Unit::kNumber},
    {"availability", &ProviderProfile::availability, Unit::kProbability},
    {"loss_per_year", &ProviderProfile::loss_per_year, Unit::kProbability},
    {"download_rate", &ProviderProfile::download_rate, Unit::kRate},
    {"latency", &ProviderProfile::latency, Unit::kDuration},
    {"connections", &ProviderProfile::connections, Unit::kCount},
};

const Field* FindField(std::string_view key) {
  for (const Field& f : kFields) {
    if (key == f.key) return &f;
  }
  return nullptr;
}

Result<double> ParseNumber(std::string_view text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return Fail(Code::kInvalidArgument, "not a number");
  }
  return value;
}

Result<double> ParseValue(const Field& field, const std::string& text) {
  auto bad = [&](std::string_view why) {
    return Fail(Code::kInvalidArgument, fmt::format("{}={}: {}", field.key, text, why));
  };
  switch (field.unit) {
    case Unit::kRate: {
      auto rate = ParseByteRate(text);
      if (!rate) return bad("not a rate (e.g. 50MiB, 10MB/s)");
      if (*rate == 0) return bad("must be more than 0");
      return static_cast<double>(*rate);
    }
    case Unit::kDuration: {
      auto seconds = ParseDuration(text);
      if (!seconds) return bad("not a duration (e.g. 60ms, 1s)");
      return *seconds;
    }
    case Unit::kNumber:
    case Unit::kProbability:
    case Unit::kCount: break;
  }
  auto value = ParseNumber(text);
  if (!value) return bad("not a number");
  if (*value < 0) return bad("must not be negative");
  if (field.unit == Unit::kProbability && *value > 1) return bad("a probability between 0 and 1");
  if (field.unit == Unit::kCount && (*value < 1 || *value != std::floor(*value))) return bad("a whole number ≥ 1");
  return *value;
}

// The host of an S3 endpoint ("https://s3.eu.example.com:443/x" → "s3.eu.example.com").
std::string EndpointHost(std::string_view endpoint) {
  if (size_t scheme = endpoint.find("://"); scheme != std::string_view::npos) endpoint.remove_prefix(scheme + 3);
  endpoint = endpoint.substr(0, endpoint.find_first_of("/:?"));
  std::string host(endpoint);
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return host;
}

bool HostIn(std::string_view host, std::string_view domain) {
  return host == domain ||
         (host.size() > domain.size() && host.ends_with(domain) && host[host.size() - domain.size() - 1] == '.');
}

std::string Upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

std::string GuessS3Kind(std::string_view url) {
  auto split = storage::http::SplitStoreUrl(url, "s3://");
  if (!split) return "s3-compatible";
  std::string endpoint, storage_class;
  for (const auto& [name, value] : split->parameters) {
    if (name == "endpoint") endpoint = value;
    if (name == "storage_class") storage_class = Upper(value);
  }
  std::string host = EndpointHost(endpoint);
  if (host.empty() || HostIn(host, "amazonaws.com")) {
    if (storage_class == "STANDARD_IA" || storage_class == "ONEZONE_IA") return "s3-ia";
    if (storage_class == "GLACIER_IR") return "s3-glacier-ir";
    return "s3-standard";
  }
  if (HostIn(host, "backblazeb2.com")) return "b2";
  if (HostIn(host, "wasabisys.com")) return "wasabi";
  if (HostIn(host, "r2.cloudflarestorage.com")) return "r2";
  if (HostIn(host, "storage.googleapis.com")) return storage_class == "NEARLINE" ? "gcs-nearline" : "gcs-standard";
  return "s3-compatible";
}

std::string GuessAzureKind(std::string_view url) {
  auto split = storage::http::SplitStoreUrl(url, "azure://");
  std::string tier;
  if (split) {
    for (const auto& [name, value] : split->parameters) {
      if (name == "tier") tier = Upper(value);
    }
  }
  if (tier == "COOL") return "azure-cool";
  if (tier == "COLD") return "azure-cold";
  return "azure-hot";
}

}  // namespace

std::vector<std::string> KnownKinds() {
  std::vector<std::string> kinds;
  for (const auto& p : Table()) kinds.push_back(p.kind);
  return kinds;
}

Result<ProviderProfile> DefaultProfile(std::string_view kind) {
  for (const auto& p : Table()) {
    if (p.kind == kind) return p;
  }
  std::string known;
  for (const auto& k : KnownKinds()) known += (known.empty() ? "" : ", ") + k;
  return Fail(Code::kInvalidArgument, fmt::format("unknown cloud kind '{}' (known: {})", kind, known));
}

std::vector<std::string> ProfileKeys() {
  std::vector<std::string> keys;
  for (const Field& f : kFields) keys.emplace_back(f.key);
  return keys;
}

double ProfileValue(const ProviderProfile& profile, std::string_view key) {
  const Field* field = FindField(key);
  return field ? profile.*(field->member) : 0;
}

Status ApplyOverrides(ProviderProfile& profile, const std::map<std::string, std::string>& overrides) {
  ProviderProfile result = profile;
  if (auto kind = overrides.find("kind"); kind != overrides.end()) {
    ASSIGN_OR_RETURN(result, DefaultProfile(kind->second));
  }
  for (const auto& [key, text] : overrides) {
    if (key == "kind") continue;
    const Field* field = FindField(key);
    if (!field) {
      std::string known = "kind";
      for (const Field& f : kFields) known += fmt::format(", {}", f.key);
      return Fail(Code::kInvalidArgument, fmt::format("unknown cloud setting '{}' (known: {})", key, known));
    }
    ASSIGN_OR_RETURN(result.*(field->member), ParseValue(*field, text));
  }
  profile = std::move(result);
  return OkStatus();
}

std::string GuessKind(std::string_view url) {
  if (url.starts_with("s3://")) return GuessS3Kind(url);
  if (url.starts_with("azure://")) return GuessAzureKind(url);
  if (url.starts_with("sftp://")) return "sftp";
  return "local";  // file://, memory:// or a plain path
}

}  // namespace arkiv::planning
