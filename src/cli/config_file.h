// The user's config file (TOML): defaults for the global options, the clouds
// and policy that `init` creates a multi-cloud repository with, and the
// credentials of each cloud.
//
//   repository = "s3://bucket/repo?endpoint=..."  # default for --repo
//   password_file = "~/.arkiv-pass"               # default for --password-file
//   policy = "ec:2+1"                             # for init
//   write_quorum = 2                              # for init
//   [clouds.aws]                                  # one table per cloud, in shard order
//   url = "s3://bucket/arkiv?region=eu-west-1"
//   read_cost = 1.0
//   access_key_id = "..."  secret_access_key = "..."  session_token = "..."  profile = "..."   (S3)
//   connection_string = "..."  account_key = "..."  sas_token = "..."                         (Azure)
//   identity_file = "~/.ssh/id_backup"                                                       (SFTP)
//   [clouds.aws.plan]                             # what `plan` and `drill` assume of this cloud
//   kind = "s3-ia"  egress_per_gb = 0.05  download_rate = "40MiB"  latency = "30ms"   (docs/planning.md)
//   rpo = "24h"                                   # status: the newest snapshot must be younger
//   notify_command = "/usr/local/bin/page-oncall" # gets a JSON event on stdin (monitor/notify.h)
//   [sources."db1:/var/lib/postgresql"]           # one source (HOST:PATH,PATH...): its own RPO
//   rpo = "1h"
//
// Unknown keys and tables, values of the wrong type, a cloud without a url,
// a bad policy or credentials that do not fit the cloud's kind of store are
// errors that name FILE:LINE:COLUMN. Paths (password_file, identity_file, a
// `repository` that is a path) may start with "~/"; relative ones are taken
// from the folder of the config file. Cloud URLs are stored in the repository
// and may not carry secrets; the credentials stay in this file.
//
// A new key is one more field here and one more line in the parser.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "placement/cloud_set.h"
#include "placement/policy.h"
#include "storage/store_credentials.h"

namespace arkiv::cli {

struct ConfigCloud {
  placement::CloudSpec spec;              // name, url, read_cost: what the repository stores
  storage::StoreCredentials credentials;  // empty: the environment's
  // [clouds.NAME.plan]: planning values (planning::ApplyOverrides keys and
  // "kind") as text, checked when the file is read.
  std::map<std::string, std::string> plan;
};

struct ConfigFile {
  std::string path;
  std::optional<std::string> repository;
  std::optional<std::string> password_file;
  std::optional<placement::Policy> policy;
  std::optional<int> write_quorum;
  std::vector<ConfigCloud> clouds;  // in the order of the file: shard i is clouds[i]
  std::optional<int64_t> rpo_ns;
  std::map<std::string, int64_t> source_rpo_ns;  // by source label "HOST:PATH,PATH"
  std::optional<std::string> notify_command;

  // The cloud called `name`, or nullptr.
  const ConfigCloud* FindCloud(std::string_view name) const;
  // The cloud whose url is exactly `url`, or nullptr.
  const ConfigCloud* FindCloudByUrl(std::string_view url) const;
  // True when some cloud has a key, token or connection string in the file
  // (a profile name or a key file's path is not a secret).
  bool HoldsSecrets() const;
};

// Parses the text of a config file; `path` is for messages and for relative
// paths. kInvalidArgument "PATH:LINE:COLUMN: ..." when it is not valid.
// `home` expands "~/" (empty: $HOME).
Result<ConfigFile> ParseConfigFile(std::string_view text, const std::string& path, std::string home = {});

// Reads and parses the file at `path`.
Result<ConfigFile> LoadConfigFile(const std::string& path);

}  // namespace arkiv::cli
