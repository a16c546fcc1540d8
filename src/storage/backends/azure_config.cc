#include "storage/backends/azure_config.h"

#include <fmt/format.h>
#include <strings.h>

#include <cstdlib>
#include <map>

#include "storage/http/url.h"
#include "storage/store.h"

namespace arkiv::storage {
namespace {

using Fields = std::map<std::string, std::string, std::less<>>;

// "A=1;B=x=y" -> {A: 1, B: x=y}; names compared as given.
Fields ParseConnectionString(std::string_view text) {
  Fields fields;
  while (!text.empty()) {
    size_t semi = text.find(';');
    std::string_view part = text.substr(0, semi);
    size_t eq = part.find('=');
    if (eq != std::string_view::npos) fields[std::string(part.substr(0, eq))] = std::string(part.substr(eq + 1));
    if (semi == std::string_view::npos) break;
    text.remove_prefix(semi + 1);
  }
  return fields;
}

std::string Field(const Fields& fields, std::string_view name) {
  auto it = fields.find(name);
  return it == fields.end() ? std::string() : it->second;
}

std::string StripQuestionMark(std::string sas) {
  if (!sas.empty() && sas.front() == '?') sas.erase(0, 1);
  return sas;
}

bool ValidContainer(std::string_view name) {
  if (name.size() < 3 || name.size() > 63) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

Result<std::string> NormalizeTier(std::string_view tier) {
  for (const char* known : {"Hot", "Cool", "Cold", "Archive"}) {
    if (strcasecmp(std::string(tier).c_str(), known) == 0) return std::string(known);
  }
  return Fail(Code::kInvalidArgument,
              fmt::format("azure: unknown access tier '{}' (use Hot, Cool, Cold or Archive)", tier));
}

// One URL parameter into `config` (sas= into `url_sas`, resolved later).
Status ApplyUrlParameter(AzureConfig& config, std::string_view name, const std::string& value, std::string& url_sas) {
  std::string where = fmt::format("azure://{}/{}", config.account, config.container);
  if (name == "endpoint") {
    config.endpoint = value;
  } else if (name == "tier") {
    ASSIGN_OR_RETURN(config.tier, NormalizeTier(value));
  } else if (name == "sas") {
    url_sas = value;
  } else if (name == "part_uploads") {
    auto count = http::ParseNumberParameter(name, value, 1, 64);
    if (!count) return Fail(count.error().Context(where));
    config.part_uploads = static_cast<int>(*count);
  } else if (name == "timeout") {
    auto seconds = http::ParseTimeoutParameter(value);
    if (!seconds) return Fail(seconds.error().Context(where));
    config.timeout_seconds = *seconds;
  } else if (name == "immutability") {
    if (strcasecmp(value.c_str(), "unlocked") == 0) {
      config.immutability = "Unlocked";
    } else if (strcasecmp(value.c_str(), "locked") == 0) {
      config.immutability = "Locked";
    } else {
      return Fail(Code::kInvalidArgument,
                  fmt::format("{}: immutability must be unlocked or locked, not '{}'", where, value));
    }
  } else if (name == "lock_days") {
    auto days = http::ParseNumberParameter(name, value, 1, 36500);
    if (!days) return Fail(days.error().Context(where));
    config.lock_days = static_cast<int>(*days);
  } else if (name == "connections") {
    // Validated and enforced by the wrapper that limits the store; here only
    // a hint for the connection pool.
    if (auto count = http::ParseNumberParameter(name, value, 1, 1024)) config.connections = static_cast<int>(*count);
  } else if (!http::IsStoreWideParameter(name)) {
    return Fail(Code::kInvalidArgument,
                fmt::format("{}: unknown URL parameter '{}' (known: endpoint, tier, sas, part_uploads, timeout, "
                            "immutability, lock_days, "
                            "and connections, upload_limit, download_limit for every store)",
                            where, name));
  }
  return OkStatus();
}

// Takes key or SAS (and the endpoint when the URL has none) from a
// connection string; `source` names where it came from for messages.
Status ApplyConnectionString(AzureConfig& config, std::string_view text, std::string_view source,
                             const std::string& where) {
  Fields fields = ParseConnectionString(text);
  std::string name = Field(fields, "AccountName");
  if (!name.empty() && name != config.account) {
    return Fail(Code::kInvalidArgument,
                fmt::format("{}: {} is for account '{}', not '{}'", where, source, name, config.account));
  }
  config.key = Field(fields, "AccountKey");
  config.sas = StripQuestionMark(Field(fields, "SharedAccessSignature"));
  if (config.endpoint.empty()) {
    config.endpoint = Field(fields, "BlobEndpoint");
    if (config.endpoint.empty()) {
      std::string protocol = Field(fields, "DefaultEndpointsProtocol");
      std::string suffix = Field(fields, "EndpointSuffix");
      config.endpoint = fmt::format("{}://{}.blob.{}", protocol.empty() ? "https" : protocol, config.account,
                                    suffix.empty() ? "core.windows.net" : suffix);
    }
  }
  if (config.key.empty() && config.sas.empty()) {
    return Fail(Code::kInvalidArgument,
                fmt::format("{}: {} has neither AccountKey nor SharedAccessSignature", where, source));
  }
  return OkStatus();
}

// Credentials given for this store (store_credentials.h); false if none are.
Result<bool> ApplyGivenCredentials(AzureConfig& config, const StoreCredentials& given, const std::string& where) {
  if (!given.connection_string.empty()) {
    RETURN_IF_ERROR(ApplyConnectionString(config, given.connection_string, "the given connection_string", where));
  } else if (!given.account_key.empty()) {
    config.key = given.account_key;
  } else if (!given.sas_token.empty()) {
    config.sas = StripQuestionMark(given.sas_token);
  } else {
    return false;
  }
  return true;
}

// AZURE_STORAGE_CONNECTION_STRING, else AZURE_STORAGE_ACCOUNT and
// AZURE_STORAGE_KEY, else AZURE_STORAGE_SAS_TOKEN.
Status ApplyEnvironmentCredentials(AzureConfig& config, const GetEnv& env, const std::string& where) {
  if (auto text = env("AZURE_STORAGE_CONNECTION_STRING"); text && !text->empty()) {
    return ApplyConnectionString(config, *text, "AZURE_STORAGE_CONNECTION_STRING", where);
  }
  if (auto key = env("AZURE_STORAGE_KEY"); key && !key->empty()) {
    auto account = env("AZURE_STORAGE_ACCOUNT");
    if (account && !account->empty() && *account != config.account) {
      return Fail(Code::kInvalidArgument,
                  fmt::format("{}: AZURE_STORAGE_KEY is for account '{}' (AZURE_STORAGE_ACCOUNT), not '{}'", where,
                              *account, config.account));
    }
    config.key = *key;
    return OkStatus();
  }
  if (auto sas = env("AZURE_STORAGE_SAS_TOKEN"); sas && !sas->empty()) {
    config.sas = StripQuestionMark(*sas);
    return OkStatus();
  }
  return Fail(Code::kInvalidArgument,
              where +
                  ": no Azure credentials (set AZURE_STORAGE_CONNECTION_STRING, AZURE_STORAGE_ACCOUNT and "
                  "AZURE_STORAGE_KEY, or AZURE_STORAGE_SAS_TOKEN)");
}

// Fills key/sas (and the endpoint when the URL has none) from the sources in
// the order the header describes.
Status ResolveCredentials(AzureConfig& config, const std::string& url_sas, const GetEnv& env,
                          const StoreCredentials& given) {
  std::string where = fmt::format("azure://{}/{}", config.account, config.container);
  if (!url_sas.empty()) {
    config.sas = StripQuestionMark(url_sas);
  } else {
    ASSIGN_OR_RETURN(bool taken, ApplyGivenCredentials(config, given, where));
    if (!taken) {
      RETURN_IF_ERROR(ApplyEnvironmentCredentials(config, env, where));
    }
  }
  if (config.endpoint.empty()) config.endpoint = fmt::format("https://{}.blob.core.windows.net", config.account);
  while (config.endpoint.ends_with('/')) config.endpoint.pop_back();
  if (!config.endpoint.starts_with("http://") && !config.endpoint.starts_with("https://")) {
    return Fail(Code::kInvalidArgument, where + ": the blob endpoint must start with http:// or https://");
  }
  return OkStatus();
}

}  // namespace

std::optional<std::string> ProcessEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

Result<AzureConfig> ParseAzureUrl(std::string_view url, const GetEnv& env, const StoreCredentials& given) {
  ASSIGN_OR_RETURN(http::StoreUrl parts, http::SplitStoreUrl(url, "azure://"));
  std::string_view rest = parts.location;
  AzureConfig config;
  size_t slash = rest.find('/');
  config.account = std::string(rest.substr(0, slash));
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  size_t slash2 = path.find('/');
  config.container = std::string(path.substr(0, slash2));
  if (slash2 != std::string_view::npos) config.prefix = std::string(path.substr(slash2 + 1));
  while (config.prefix.ends_with('/')) config.prefix.pop_back();
  if (config.account.empty() || config.container.empty()) {
    return Fail(Code::kInvalidArgument, "azure URLs look like azure://ACCOUNT/CONTAINER[/PREFIX]");
  }
  if (!ValidContainer(config.container)) {
    return Fail(Code::kInvalidArgument,
                fmt::format("azure://{}/{}: container names are 3 to 63 lower-case letters, digits and '-'",
                            config.account, config.container));
  }
  if (!config.prefix.empty() && !ValidateObjectName(config.prefix)) {
    return Fail(Code::kInvalidArgument,
                fmt::format("azure://{}/{}: bad prefix '{}'", config.account, config.container, config.prefix));
  }
  std::string url_sas;
  for (const auto& [name, value] : parts.parameters) {
    RETURN_IF_ERROR(ApplyUrlParameter(config, name, value, url_sas));
  }
  if (config.immutability.empty() != (config.lock_days == 0)) {
    return Fail(Code::kInvalidArgument,
                fmt::format("azure://{}/{}: immutability and lock_days go together (e.g. "
                            "immutability=unlocked&lock_days=30)",
                            config.account, config.container));
  }
  RETURN_IF_ERROR(ResolveCredentials(config, url_sas, env, given));
  return config;
}

}  // namespace arkiv::storage
