// Where S3 credentials and the region come from, as the AWS CLI finds them:
//  0. credentials the caller gives for this store (store_credentials.h): a
//     key pair, or a profile, which then wins over AWS_PROFILE and the
//     AWS_* keys;
//  1. AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN);
//  2. else the profile AWS_PROFILE (default "default") of the shared
//     credentials file, ~/.aws/credentials or AWS_SHARED_CREDENTIALS_FILE.
// The region: AWS_REGION, else AWS_DEFAULT_REGION, else the profile's
// `region` in ~/.aws/config (AWS_CONFIG_FILE overrides the path).
// Errors never contain a key.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "storage/backends/s3_signer.h"
#include "storage/store_credentials.h"

namespace arkiv::storage {

// kPermissionDenied when no credentials are found (the message says where
// they were looked for).
Result<AwsCredentials> LoadAwsCredentials(const StoreCredentials& given = {});
// nullopt when no region is configured. `profile` (if not empty) replaces
// AWS_PROFILE.
std::optional<std::string> LoadAwsRegion(std::string_view profile = {});

// The `key` of `section` in INI text ("[default]\nkey = value"); nullopt if absent.
std::optional<std::string> IniValue(std::string_view text, std::string_view section, std::string_view key);

}  // namespace arkiv::storage
