// How the config file (config_file.h) feeds the global options: which file
// is read, and what it supplies where the command line and the environment
// say nothing. The command line and the environment always win.
#pragma once

#include <string>
#include <string_view>

#include "cli/global_options.h"
#include "core/status.h"
#include "storage/store_credentials.h"

namespace arkiv::cli {

// $XDG_CONFIG_HOME/arkiv/config.toml, or ~/.config/arkiv/config.toml when
// XDG_CONFIG_HOME is not set.
std::string DefaultConfigPath();

// Reads the config file into options.config: options.config_file (--config
// or ARKIV_CONFIG), which must exist, else DefaultConfigPath() if it exists,
// else none. Warns on stderr when the file holds secrets and its group or
// others may read it (as ssh does for keys). Errors: the file cannot be read,
// or is not valid ("PATH:LINE:COLUMN: ...").
Status LoadConfig(GlobalOptions& options);

// The repository to open: --repo / ARKIV_REPOSITORY, else the config's
// `repository`, else its first cloud's url. kInvalidArgument when none is.
Result<std::string> RepositoryUrl(const GlobalOptions& options);

// What the config says about the password file when neither --password-file
// nor ARKIV_PASSWORD_FILE does ("" when it says nothing).
std::string ConfigPasswordFile(const GlobalOptions& options);

// The credentials the config gives for the cloud `name` (empty: none; the
// environment's are used).
storage::StoreCredentials CloudCredentials(const GlobalOptions& options, std::string_view name);

// The credentials for the store at `url` opened as the repository: those of
// the config's cloud with exactly this url, so that any one cloud's URL opens
// the repository with the right keys; empty for any other URL.
storage::StoreCredentials RepositoryCredentials(const GlobalOptions& options, std::string_view url);

}  // namespace arkiv::cli
