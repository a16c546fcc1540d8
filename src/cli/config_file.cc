#include "cli/config_file.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/toml_table_reader.h"
#include "core/posix_error.h"
#include "engine/forget_policy.h"
#include "planning/provider_profile.h"

namespace arkiv::cli {
namespace {

// "~/x" from `home`; a relative path from the config file's folder, so that
// the file means the same whatever the working directory.
std::string ResolvePath(const std::string& path, const std::string& config_path, const std::string& home) {
  if ((path == "~" || path.starts_with("~/")) && !home.empty()) return home + path.substr(1);
  if (path.starts_with('/')) return path;
  std::filesystem::path folder = std::filesystem::path(config_path).parent_path();
  return folder.empty() ? path : (folder / path).string();
}

void ReadCredentials(TomlTableReader& reader, storage::StoreCredentials& credentials) {
  reader.String("access_key_id", credentials.access_key_id);
  reader.String("secret_access_key", credentials.secret_access_key);
  reader.String("session_token", credentials.session_token);
  reader.String("profile", credentials.profile);
  reader.String("connection_string", credentials.connection_string);
  reader.String("account_key", credentials.account_key);
  reader.String("sas_token", credentials.sas_token);
  reader.String("identity_file", credentials.identity_file);
}

// [clouds.NAME.plan]: the planning model's values for this cloud. Checked
// here against the default profile of the kind it names (or of any kind), so
// that a typo is reported with its place in the file rather than by `plan`.
Status ReadPlanValues(const toml::table& table, const std::string& path, const std::string& name,
                      std::map<std::string, std::string>& out) {
  TomlTableReader reader(table, path, fmt::format("[clouds.{}.plan]", name));
  std::vector<std::string> keys = planning::ProfileKeys();
  keys.insert(keys.begin(), "kind");
  for (const auto& key : keys) {
    std::optional<std::string> value;
    reader.Scalar(key, value);
    if (value) out[key] = *value;
  }
  if (reader.ok()) {
    auto profile = planning::DefaultProfile(out.contains("kind") ? out["kind"] : std::string("local"));
    Status applied = OkStatus();
    if (!profile) {
      applied = Fail(profile.error());
    } else {
      applied = planning::ApplyOverrides(*profile, out);
    }
    if (!applied) reader.Invalid("", fmt::format("[clouds.{}.plan]: {}", name, applied.error().message()));
  }
  return reader.Finish();
}

// One [clouds.NAME] table.
Result<ConfigCloud> ReadCloud(const std::string& name, const toml::table& table, const std::string& path) {
  std::string where = fmt::format("[clouds.{}]", name);
  TomlTableReader reader(table, path, where);
  ConfigCloud cloud;
  cloud.spec.name = name;
  reader.String("url", cloud.spec.url);
  reader.Number("read_cost", cloud.spec.read_cost, 0.0);
  ReadCredentials(reader, cloud.credentials);
  if (const toml::table* plan = reader.Table("plan")) {
    RETURN_IF_ERROR(ReadPlanValues(*plan, path, name, cloud.plan));
  }
  if (reader.ok() && !placement::IsValidCloudName(name)) {
    reader.Invalid("", fmt::format("cloud name '{}': use 1 to 32 of a-z, 0-9, '_' and '-', starting with a letter "
                                   "or digit",
                                   name));
  }
  if (reader.ok() && cloud.spec.url.empty()) reader.Invalid("", fmt::format("{} has no url", where));
  if (reader.ok()) {
    if (auto clean = placement::CheckNoSecretsInUrl(cloud.spec.url); !clean) {
      reader.Invalid("url", clean.error().message());
    }
  }
  if (reader.ok()) {
    if (auto fit = storage::CheckCredentialsFit(cloud.spec.url, cloud.credentials); !fit) {
      reader.Invalid("", fmt::format("{}: {}", where, fit.error().message()));
    }
  }
  RETURN_IF_ERROR(reader.Finish());
  return cloud;
}

Status ReadClouds(const toml::table& clouds, const toml::source_region& where, const std::string& path,
                  ConfigFile& config) {
  auto entries = EntriesInFileOrder(clouds);
  if (entries.empty()) {
    return Fail(Code::kInvalidArgument,
                fmt::format("{}:{}:{}: [clouds] names no cloud (add a [clouds.NAME] table with a url)", path,
                            where.begin.line, where.begin.column));
  }
  for (const auto& [name, node] : entries) {
    const toml::table* table = node->as_table();
    if (table == nullptr) {
      return Fail(Code::kInvalidArgument,
                  fmt::format("{}:{}:{}: clouds.{} must be a table ([clouds.{}] with url = ...)", path,
                              node->source().begin.line, node->source().begin.column, name, name));
    }
    ASSIGN_OR_RETURN(ConfigCloud cloud, ReadCloud(name, *table, path));
    config.clouds.push_back(std::move(cloud));
  }
  return OkStatus();
}

// [sources."HOST:PATH,..."] tables: per-source settings (the RPO).
Status ReadSources(const toml::table& sources, const std::string& path, ConfigFile& config) {
  for (const auto& [label, node] : EntriesInFileOrder(sources)) {
    const toml::table* table = node->as_table();
    if (table == nullptr) {
      return Fail(Code::kInvalidArgument, fmt::format("{}:{}:{}: sources.\"{}\" must be a table with rpo = ...", path,
                                                      node->source().begin.line, node->source().begin.column, label));
    }
    TomlTableReader reader(*table, path, fmt::format("[sources.\"{}\"]", label));
    std::optional<std::string> rpo;
    reader.String("rpo", rpo);
    if (rpo) {
      if (auto ns = engine::ParseDuration(*rpo)) {
        config.source_rpo_ns[label] = *ns;
      } else {
        reader.Invalid("rpo", fmt::format("rpo in [sources.\"{}\"] must be a duration (e.g. 24h, 2d, 1w)", label));
      }
    }
    RETURN_IF_ERROR(reader.Finish());
  }
  return OkStatus();
}

Result<toml::table> ParseToml(std::string_view text, const std::string& path) {
  try {
    return toml::parse(text, std::string_view(path));
  } catch (const toml::parse_error& e) {
    return Fail(Code::kInvalidArgument,
                fmt::format("{}:{}:{}: {}", path, e.source().begin.line, e.source().begin.column, e.description()));
  }
}

}  // namespace

const ConfigCloud* ConfigFile::FindCloud(std::string_view name) const {
  for (const auto& cloud : clouds) {
    if (cloud.spec.name == name) return &cloud;
  }
  return nullptr;
}

const ConfigCloud* ConfigFile::FindCloudByUrl(std::string_view url) const {
  for (const auto& cloud : clouds) {
    if (cloud.spec.url == url) return &cloud;
  }
  return nullptr;
}

bool ConfigFile::HoldsSecrets() const {
  for (const auto& cloud : clouds) {
    const auto& c = cloud.credentials;
    if (!c.access_key_id.empty() || !c.secret_access_key.empty() || !c.session_token.empty() || c.ForAzure()) {
      return true;
    }
  }
  return false;
}

Result<ConfigFile> ParseConfigFile(std::string_view text, const std::string& path, std::string home) {
  if (home.empty()) {
    if (const char* env = std::getenv("HOME")) home = env;
  }
  ASSIGN_OR_RETURN(toml::table root, ParseToml(text, path));
  ConfigFile config;
  config.path = path;
  TomlTableReader reader(root, path, "");
  reader.String("repository", config.repository);
  reader.String("password_file", config.password_file);
  std::optional<std::string> policy;
  reader.String("policy", policy);
  if (policy) {
    if (auto parsed = placement::ParsePolicy(*policy)) {
      config.policy = *parsed;
    } else {
      reader.Invalid("policy", parsed.error().message());
    }
  }
  std::optional<int64_t> quorum;
  reader.Integer("write_quorum", quorum, 1, placement::kMaxShards);
  if (quorum) config.write_quorum = static_cast<int>(*quorum);
  reader.String("notify_command", config.notify_command);
  std::optional<std::string> rpo;
  reader.String("rpo", rpo);
  if (rpo) {
    if (auto ns = engine::ParseDuration(*rpo)) {
      config.rpo_ns = *ns;
    } else {
      reader.Invalid("rpo", "rpo must be a duration (e.g. 24h, 2d, 1w)");
    }
  }
  const toml::table* sources = reader.Table("sources");
  const toml::table* clouds = reader.Table("clouds");
  if (reader.ok() && clouds == nullptr && (policy || quorum)) {
    reader.Invalid(
        policy ? "policy" : "write_quorum",
        fmt::format("{} is for the clouds of init: add [clouds.NAME] tables", policy ? "policy" : "write_quorum"));
  }
  RETURN_IF_ERROR(reader.Finish());
  if (clouds != nullptr) {
    RETURN_IF_ERROR(ReadClouds(*clouds, root.get("clouds")->source(), path, config));
  }
  if (sources != nullptr) RETURN_IF_ERROR(ReadSources(*sources, path, config));

  if (config.password_file) config.password_file = ResolvePath(*config.password_file, path, home);
  if (config.repository && config.repository->find("://") == std::string::npos) {
    config.repository = ResolvePath(*config.repository, path, home);
  }
  for (auto& cloud : config.clouds) {
    auto& key = cloud.credentials.identity_file;
    if (!key.empty()) key = ResolvePath(key, path, home);
  }
  return config;
}

Result<ConfigFile> LoadConfigFile(const std::string& path) {
  // A folder opens as an empty stream; it must not pass for an empty file.
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) return FailErrno(EISDIR, "read config file " + path);
  std::ifstream in(path);
  if (!in) return FailErrno(errno, "read config file " + path);
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return FailErrno(errno, "read config file " + path);
  return ParseConfigFile(text.str(), path);
}

}  // namespace arkiv::cli
