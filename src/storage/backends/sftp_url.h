// Parsing of sftp:// repository URLs:
//   sftp://[user@]host[:port]/absolute/path[?key=FILE&known_hosts=FILE&timeout=SECONDS]
// The path is absolute on the server. Parts may be %-encoded. Unknown query
// parameters are refused, so that a misspelt "known_host=" cannot silently
// fall back to ~/.ssh/known_hosts.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "storage/backends/ssh_session.h"

namespace arkiv::storage {

struct SftpLocation {
  SshEndpoint endpoint;
  std::string root;  // absolute, without a trailing '/' unless it is "/"
};

// kInvalidArgument when `url` is malformed.
Result<SftpLocation> ParseSftpUrl(std::string_view url);

}  // namespace arkiv::storage
