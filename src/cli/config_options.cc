#include "cli/config_options.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cstdlib>
#include <iostream>

#include "cli/config_file.h"
#include "core/log.h"

namespace arkiv::cli {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

// ssh refuses keys that others can read; a config file with credentials gets
// a warning, not a refusal, so that a shared machine's admin can still run.
void WarnIfReadableByOthers(const ConfigFile& config) {
  struct stat st {};
  if (!config.HoldsSecrets() || ::stat(config.path.c_str(), &st) != 0) return;
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) == 0) return;
  std::cerr << fmt::format(
      "warning: config file {} holds credentials and can be read by others (mode {:04o}); chmod 600 {}\n", config.path,
      st.st_mode & 07777, config.path);
}

}  // namespace

std::string DefaultConfigPath() {
  std::string base = Env("XDG_CONFIG_HOME");
  // The XDG spec says to ignore a relative value.
  if (base.empty() || base.front() != '/') base = Env("HOME") + "/.config";
  return base + "/arkiv/config.toml";
}

Status LoadConfig(GlobalOptions& options) {
  std::string path = options.config_file;
  if (path.empty()) {
    path = DefaultConfigPath();
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      LogDebug("no config file at {}", path);
      return OkStatus();
    }
  }
  ASSIGN_OR_RETURN(ConfigFile config, LoadConfigFile(path));
  LogDebug("config file {}: {} clouds", path, config.clouds.size());
  WarnIfReadableByOthers(config);
  options.config = std::make_shared<const ConfigFile>(std::move(config));
  return OkStatus();
}

Result<std::string> RepositoryUrl(const GlobalOptions& options) {
  if (!options.repo.empty()) return options.repo;
  if (options.config) {
    if (options.config->repository) return *options.config->repository;
    if (!options.config->clouds.empty()) return options.config->clouds.front().spec.url;
    return Fail(Code::kInvalidArgument,
                fmt::format("no repository given: use --repo or ARKIV_REPOSITORY, or set `repository` or a "
                            "[clouds.NAME] table in {}",
                            options.config->path));
  }
  return Fail(Code::kInvalidArgument,
              fmt::format("no repository given: use --repo or ARKIV_REPOSITORY, or set `repository` in a config file "
                          "({} or --config)",
                          DefaultConfigPath()));
}

std::string ConfigPasswordFile(const GlobalOptions& options) {
  if (options.config && options.config->password_file) return *options.config->password_file;
  return "";
}

storage::StoreCredentials CloudCredentials(const GlobalOptions& options, std::string_view name) {
  if (!options.config) return {};
  const ConfigCloud* cloud = options.config->FindCloud(name);
  return cloud != nullptr ? cloud->credentials : storage::StoreCredentials{};
}

storage::StoreCredentials RepositoryCredentials(const GlobalOptions& options, std::string_view url) {
  if (!options.config) return {};
  const ConfigCloud* cloud = options.config->FindCloudByUrl(url);
  return cloud != nullptr ? cloud->credentials : storage::StoreCredentials{};
}

}  // namespace arkiv::cli
