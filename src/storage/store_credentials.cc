#include "storage/store_credentials.h"

#include <fmt/format.h>

namespace arkiv::storage {
namespace {

Status Refuse(std::string message) {
  return Fail(Code::kInvalidArgument, std::move(message));
}

Status CheckS3(const StoreCredentials& c) {
  if (c.access_key_id.empty() != c.secret_access_key.empty()) {
    return Refuse("access_key_id and secret_access_key go together: give both or neither");
  }
  if (!c.session_token.empty() && c.access_key_id.empty()) {
    return Refuse("session_token needs access_key_id and secret_access_key");
  }
  if (!c.profile.empty() && !c.access_key_id.empty()) {
    return Refuse("give either access_key_id and secret_access_key or profile, not both");
  }
  return OkStatus();
}

Status CheckAzure(const StoreCredentials& c) {
  int given = !c.connection_string.empty() + !c.account_key.empty() + !c.sas_token.empty();
  if (given > 1) return Refuse("give one of connection_string, account_key and sas_token, not several");
  return OkStatus();
}

}  // namespace

Status CheckCredentialsFit(std::string_view url, const StoreCredentials& credentials) {
  std::string_view kind = url.starts_with("s3://")      ? "s3"
                          : url.starts_with("azure://") ? "azure"
                          : url.starts_with("sftp://")  ? "sftp"
                                                        : "local";
  auto misplaced = [&](std::string_view fields, std::string_view for_kind) {
    return Refuse(fmt::format("credentials for {} ({}) given for {} store", for_kind, fields,
                              kind == "local" ? "a local" : fmt::format("an {}://", kind)));
  };
  if (kind != "s3" && credentials.ForS3()) {
    return misplaced("access_key_id, secret_access_key, session_token, profile", "S3");
  }
  if (kind != "azure" && credentials.ForAzure()) {
    return misplaced("connection_string, account_key, sas_token", "Azure");
  }
  if (kind != "sftp" && credentials.ForSftp()) return misplaced("identity_file", "SFTP");
  RETURN_IF_ERROR(CheckS3(credentials));
  return CheckAzure(credentials);
}

}  // namespace arkiv::storage
