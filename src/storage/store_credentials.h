// Credentials for one store handed over by the caller (the config file's
// [clouds.NAME] table) instead of being looked up in the environment. They
// exist because one process may talk to two S3 accounts or two Azure
// accounts at once, which a single set of AWS_* / AZURE_* variables cannot
// express. Empty fields are "not given"; a store whose kind has no field set
// uses the environment as before (aws_config.h, azure_config.h,
// ssh_session.h).
//
// The URL stays free of secrets: these travel beside it and are never part of
// a Location(), a message or a log line.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace arkiv::storage {

// Each field has a default member initializer so that callers may name just
// the fields they set ({.profile = "backup"}) under -Wextra.
struct StoreCredentials {
  // S3: a key pair (with a session token for temporary credentials), or a
  // profile of the shared credentials file (~/.aws/credentials).
  std::string access_key_id{};
  std::string secret_access_key{};
  std::string session_token{};
  std::string profile{};
  // Azure: one of a connection string, the account's shared key, or a SAS.
  std::string connection_string{};
  std::string account_key{};
  std::string sas_token{};
  // SFTP: the private key file (wins over the URL's key=).
  std::string identity_file{};

  bool ForS3() const {
    return !access_key_id.empty() || !secret_access_key.empty() || !session_token.empty() || !profile.empty();
  }
  bool ForAzure() const { return !connection_string.empty() || !account_key.empty() || !sas_token.empty(); }
  bool ForSftp() const { return !identity_file.empty(); }
  bool empty() const { return !ForS3() && !ForAzure() && !ForSftp(); }
};

// kInvalidArgument when `credentials` hold fields for another kind of store
// than `url` names (S3 keys for an azure:// URL, anything for a local path),
// or an incomplete or contradictory set (a key id without its secret, a key
// pair and a profile, two Azure methods). Messages name the fields, never
// their values.
Status CheckCredentialsFit(std::string_view url, const StoreCredentials& credentials);

}  // namespace arkiv::storage
