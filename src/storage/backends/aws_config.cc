#include "storage/backends/aws_config.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace arkiv::storage {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string HomeFile(const char* override_variable, const char* name) {
  std::string path = Env(override_variable);
  if (!path.empty()) return path;
  return Env("HOME") + "/.aws/" + name;
}

std::string Profile(std::string_view given) {
  if (!given.empty()) return std::string(given);
  std::string profile = Env("AWS_PROFILE");
  return profile.empty() ? "default" : profile;
}

}  // namespace

std::optional<std::string> IniValue(std::string_view text, std::string_view section, std::string_view key) {
  bool in_section = false;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = Trim(text.substr(pos, end - pos));
    pos = end + 1;
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      in_section = Trim(line.substr(1, line.size() - 2)) == section;
      continue;
    }
    size_t equals = line.find('=');
    if (!in_section || equals == std::string_view::npos) continue;
    if (Trim(line.substr(0, equals)) == key) return std::string(Trim(line.substr(equals + 1)));
  }
  return std::nullopt;
}

Result<AwsCredentials> LoadAwsCredentials(const StoreCredentials& given) {
  AwsCredentials credentials;
  if (!given.access_key_id.empty() && !given.secret_access_key.empty()) {
    return AwsCredentials{given.access_key_id, given.secret_access_key, given.session_token};
  }
  // A profile given for this store skips the environment's keys: they are
  // the process-wide default the profile is meant to override.
  if (given.profile.empty()) {
    credentials.access_key_id = Env("AWS_ACCESS_KEY_ID");
    credentials.secret_access_key = Env("AWS_SECRET_ACCESS_KEY");
    if (!credentials.access_key_id.empty() && !credentials.secret_access_key.empty()) {
      credentials.session_token = Env("AWS_SESSION_TOKEN");
      return credentials;
    }
  }
  std::string path = HomeFile("AWS_SHARED_CREDENTIALS_FILE", "credentials");
  std::string text = ReadFile(path);
  std::string profile = Profile(given.profile);
  auto id = IniValue(text, profile, "aws_access_key_id");
  auto secret = IniValue(text, profile, "aws_secret_access_key");
  if (!id || !secret || id->empty() || secret->empty()) {
    if (!given.profile.empty()) {
      return Fail(Code::kPermissionDenied, "no AWS credentials: profile '" + profile +
                                               "' has no aws_access_key_id and aws_secret_access_key in " + path);
    }
    return Fail(Code::kPermissionDenied,
                "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or add profile '" + profile +
                    "' to " + path);
  }
  credentials.access_key_id = *id;
  credentials.secret_access_key = *secret;
  credentials.session_token = IniValue(text, profile, "aws_session_token").value_or("");
  return credentials;
}

std::optional<std::string> LoadAwsRegion(std::string_view given_profile) {
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    if (std::string region = Env(name); !region.empty()) return region;
  }
  std::string text = ReadFile(HomeFile("AWS_CONFIG_FILE", "config"));
  std::string profile = Profile(given_profile);
  auto region = IniValue(text, profile == "default" ? "default" : "profile " + profile, "region");
  if (region && !region->empty()) return region;
  return std::nullopt;
}

}  // namespace arkiv::storage
