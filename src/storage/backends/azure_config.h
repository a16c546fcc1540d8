// Where an Azure store is and how it authenticates: parses the repository URL
// and the credentials from the environment.
//
//   azure://ACCOUNT/CONTAINER[/PREFIX][?endpoint=URL&tier=Hot|Cool|Cold|Archive&sas=TOKEN&timeout=SECONDS]
//
// Credentials, first match wins:
//   1. sas= in the URL (percent-encoded);
//   2. AZURE_STORAGE_CONNECTION_STRING (AccountName, AccountKey, BlobEndpoint,
//      SharedAccessSignature, DefaultEndpointsProtocol, EndpointSuffix);
//   3. AZURE_STORAGE_ACCOUNT + AZURE_STORAGE_KEY;
//   4. AZURE_STORAGE_SAS_TOKEN.
// The endpoint is endpoint= if given, else the connection string's
// BlobEndpoint, else https://ACCOUNT.blob.core.windows.net. An endpoint with
// a path (Azurite: http://127.0.0.1:10000/devstoreaccount1) makes path-style
// URLs. `timeout` bounds the wait to connect and any stall of a transfer
// (default 30 s to connect, 60 s under 1 KiB/s).
//
// Errors are kInvalidArgument and never quote a key or a SAS token.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace arkiv::storage {

struct AzureConfig {
  std::string account;
  std::string container;
  std::string prefix;    // "" or "a/b" (no leading or trailing '/')
  std::string endpoint;  // scheme://host[:port][/path], no trailing '/'
  std::string tier;      // "", "Hot", "Cool", "Cold" or "Archive"
  std::string key;       // base64 account key; "" when using a SAS
  std::string sas;       // SAS query without '?'; "" when using the key
  int timeout_seconds = 0;  // connect and stall timeout; 0: HttpClient's defaults
};

using GetEnv = std::function<std::optional<std::string>(const char*)>;
// Reads the process environment.
std::optional<std::string> ProcessEnv(const char* name);

Result<AzureConfig> ParseAzureUrl(std::string_view url, const GetEnv& env = ProcessEnv);

// Decodes %XX escapes ('+' stays '+').
std::string PercentDecode(std::string_view text);
// Encodes every byte but A-Z a-z 0-9 - _ . ~ and, when `keep_slash`, '/'.
std::string PercentEncode(std::string_view text, bool keep_slash);

}  // namespace arkiv::storage
