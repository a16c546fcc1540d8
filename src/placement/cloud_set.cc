#include "placement/cloud_set.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

namespace arkiv::placement {

bool IsValidCloudName(std::string_view name) {
  if (name.empty() || name.size() > 32) return false;
  auto ok = [](char c, bool first) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (!first && (c == '_' || c == '-'));
  };
  for (size_t i = 0; i < name.size(); ++i) {
    if (!ok(name[i], i == 0)) return false;
  }
  return true;
}

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace

Status CheckNoSecretsInUrl(std::string_view url) {
  auto refuse = [&](std::string_view what) {
    // The URL itself is not repeated: it holds the secret.
    return Fail(Code::kInvalidArgument,
                fmt::format("a cloud URL must not carry {}: the cloud set is stored in the repository; give "
                            "credentials through the environment or the credentials files instead",
                            what));
  };
  size_t scheme = url.find("://");
  std::string_view rest = scheme == std::string_view::npos ? url : url.substr(scheme + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos && authority.substr(0, at).find(':') != std::string_view::npos) {
    return refuse("a password");
  }
  size_t q = url.find('?');
  if (q == std::string_view::npos) return OkStatus();
  std::string query = Lower(url.substr(q + 1));
  for (std::string_view key : {"sig=", "accountkey=", "secret", "password=", "token="}) {
    size_t pos = 0;
    while ((pos = query.find(key, pos)) != std::string::npos) {
      if (pos == 0 || query[pos - 1] == '&')
        return refuse(fmt::format("a '{}' parameter", key.substr(0, key.find('='))));
      pos++;
    }
  }
  return OkStatus();
}

std::string CloudNames(const std::vector<CloudSpec>& clouds) {
  std::string out;
  for (const auto& c : clouds) out += (out.empty() ? "" : ", ") + c.name;
  return out;
}

Result<CloudSpec> ParseCloudArgument(std::string_view text) {
  size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == text.size()) {
    return Fail(Code::kInvalidArgument, "--cloud takes NAME=URL, e.g. --cloud aws=s3://bucket/arkiv");
  }
  CloudSpec spec{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)), 1.0};
  if (!IsValidCloudName(spec.name)) {
    return Fail(Code::kInvalidArgument,
                fmt::format("cloud name '{}': use 1 to 32 of a-z, 0-9, '_' and '-', starting with a letter or digit",
                            spec.name));
  }
  RETURN_IF_ERROR(CheckNoSecretsInUrl(spec.url));
  return spec;
}

Status ValidateCloudList(const std::vector<CloudSpec>& clouds) {
  if (clouds.empty()) return Fail(Code::kInvalidArgument, "a cloud set needs at least one cloud");
  if (clouds.size() > static_cast<size_t>(kMaxShards)) {
    return Fail(Code::kInvalidArgument, fmt::format("at most {} clouds", kMaxShards));
  }
  std::set<std::string> names, urls;
  for (const auto& c : clouds) {
    if (!IsValidCloudName(c.name)) return Fail(Code::kInvalidArgument, fmt::format("bad cloud name '{}'", c.name));
    if (!names.insert(c.name).second)
      return Fail(Code::kInvalidArgument, fmt::format("cloud '{}' named twice", c.name));
    if (!urls.insert(c.url).second) {
      return Fail(Code::kInvalidArgument, fmt::format("cloud '{}': the same URL as another cloud", c.name));
    }
    if (!(c.read_cost >= 0)) return Fail(Code::kInvalidArgument, fmt::format("cloud '{}': bad read_cost", c.name));
    if (auto st = CheckNoSecretsInUrl(c.url); !st) return Fail(st.error().Context(fmt::format("cloud '{}'", c.name)));
  }
  return OkStatus();
}

PendingClouds CloudSet::Target() const {
  if (pending) return *pending;
  return PendingClouds{policy, write_quorum, clouds};
}

CloudSet CloudSet::Advanced(const PendingClouds& target) const {
  CloudSet next;
  next.generation = generation + 1;
  next.policy = target.policy;
  next.write_quorum = target.write_quorum;
  next.clouds = target.clouds;
  return next;
}

Status CloudSet::Validate() const {
  RETURN_IF_ERROR(ValidateCloudList(clouds));
  if (pending) {
    if (auto st = ValidateCloudList(pending->clouds); !st) return Fail(st.error().Context("pending cloud set"));
  }
  int n = static_cast<int>(clouds.size());
  if (policy.erasure() && policy.RequiredClouds() != n) {
    return Fail(Code::kInvalidArgument, fmt::format("policy {} needs exactly {} clouds (one per shard), {} given",
                                                    policy.ToString(), policy.RequiredClouds(), n));
  }
  RETURN_IF_ERROR(EffectiveWriteQuorum(policy, n, write_quorum));
  return OkStatus();
}

Bytes CloudSet::Serialize() const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& c : clouds) list.push_back({{"name", c.name}, {"url", c.url}, {"read_cost", c.read_cost}});
  nlohmann::json j = {{"version", 1},
                      {"generation", generation},
                      {"policy", policy.ToString()},
                      {"write_quorum", write_quorum},
                      {"clouds", list}};
  if (pending) {
    nlohmann::json next = nlohmann::json::array();
    for (const auto& c : pending->clouds)
      next.push_back({{"name", c.name}, {"url", c.url}, {"read_cost", c.read_cost}});
    j["pending"] = {{"policy", pending->policy.ToString()}, {"write_quorum", pending->write_quorum}, {"clouds", next}};
  }
  std::string text = j.dump();
  return Bytes(text.begin(), text.end());
}

namespace {

// The policy, write quorum and cloud list of the current set or of the
// pending one; errors say what is wrong (the caller makes them kDataLoss).
Result<PendingClouds> ParseLayout(const nlohmann::json& j) {
  auto bad = [](std::string_view why) { return Fail(Code::kDataLoss, std::string(why)); };
  PendingClouds layout;
  if (!j.contains("policy") || !j["policy"].is_string()) return bad("no policy");
  auto policy = ParsePolicy(j["policy"].get<std::string>());
  if (!policy) return bad(policy.error().message());
  layout.policy = *policy;
  if (j.contains("write_quorum")) {
    if (!j["write_quorum"].is_number_integer()) return bad("write_quorum is not a number");
    int64_t q = j["write_quorum"].get<int64_t>();
    if (q < 0 || q > kMaxShards) return bad("write_quorum out of range");
    layout.write_quorum = static_cast<int>(q);
  }
  if (!j.contains("clouds") || !j["clouds"].is_array()) return bad("no cloud list");
  if (j["clouds"].size() > static_cast<size_t>(kMaxShards)) return bad("too many clouds");
  for (const auto& c : j["clouds"]) {
    if (!c.is_object() || !c.contains("name") || !c["name"].is_string() || !c.contains("url") ||
        !c["url"].is_string()) {
      return bad("a cloud lacks a name or URL");
    }
    CloudSpec spec{c["name"].get<std::string>(), c["url"].get<std::string>(), 1.0};
    if (c.contains("read_cost")) {
      if (!c["read_cost"].is_number()) return bad("read_cost is not a number");
      spec.read_cost = c["read_cost"].get<double>();
    }
    layout.clouds.push_back(std::move(spec));
  }
  return layout;
}

}  // namespace

Result<CloudSet> CloudSet::Parse(ByteView bytes) {
  auto bad = [](std::string_view why) { return Fail(Code::kDataLoss, fmt::format("cloud set: {}", why)); };
  nlohmann::json j = nlohmann::json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return bad("not a JSON object");
  if (!j.contains("version") || !j["version"].is_number_integer() || j["version"].get<int64_t>() != 1) {
    return bad("unknown version");
  }
  CloudSet set;
  if (!j.contains("generation") || !j["generation"].is_number_unsigned()) return bad("no generation");
  set.generation = j["generation"].get<uint64_t>();
  auto current = ParseLayout(j);
  if (!current) return bad(current.error().message());
  set.policy = current->policy;
  set.write_quorum = current->write_quorum;
  set.clouds = std::move(current->clouds);
  if (j.contains("pending")) {
    if (!j["pending"].is_object()) return bad("pending is not an object");
    auto pending = ParseLayout(j["pending"]);
    if (!pending) return bad(fmt::format("pending: {}", pending.error().message()));
    set.pending = std::move(*pending);
  }
  if (auto st = set.Validate(); !st) return bad(st.error().message());
  return set;
}

}  // namespace arkiv::placement
