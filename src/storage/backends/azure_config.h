// Where an Azure store is and how it authenticates: parses the repository URL
// and the credentials from the environment.
//
//   azure://ACCOUNT/CONTAINER[/PREFIX][?endpoint=URL&tier=Hot|Cool|Cold|Archive&sas=TOKEN
//                                      &part_uploads=N&timeout=SECONDS
//                                      &immutability=unlocked|locked&lock_days=N]
//
// part_uploads (1 to 64, default 4) is how many blocks of one large blob go
// up at once. The store-wide parameters of every store URL (connections,
// upload_limit, download_limit; see storage/http/url.h) are accepted for the
// wrappers; `connections` also sizes the connection pool.
//
// immutability and lock_days (1 to 36500, always together) put a
// version-level immutability policy of N days on every repository object
// written (storage/retention.h; x-ms-immutability-policy-until-date and
// -mode): the container must have version-level immutability support
// enabled. Azure then refuses to delete or overwrite the blob until the date
// (Locked: nobody can shorten it; Unlocked: the account owner can), and
// Remove answers kRetained. Azurite does not implement immutability (it
// ignores the headers); tests check the requests' format (docs/design.md
// §16.2).
//
// Credentials, first match wins:
//   1. sas= in the URL (percent-encoded);
//   2. credentials given for this store (store_credentials.h): its
//      connection_string, account_key or sas_token;
//   3. AZURE_STORAGE_CONNECTION_STRING (AccountName, AccountKey, BlobEndpoint,
//      SharedAccessSignature, DefaultEndpointsProtocol, EndpointSuffix);
//   4. AZURE_STORAGE_ACCOUNT + AZURE_STORAGE_KEY;
//   5. AZURE_STORAGE_SAS_TOKEN.
// The endpoint is endpoint= if given, else the connection string's
// BlobEndpoint, else https://ACCOUNT.blob.core.windows.net. An endpoint with
// a path (Azurite: http://127.0.0.1:10000/devstoreaccount1) makes path-style
// URLs. `timeout` (1 to 3600) bounds the wait to connect and any wait for
// the next byte each way (default 10 s to connect, 60 s without a byte).
//
// Errors are kInvalidArgument and never quote a key or a SAS token.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "storage/store_credentials.h"

namespace arkiv::storage {

struct AzureConfig {
  std::string account;
  std::string container;
  std::string prefix;       // "" or "a/b" (no leading or trailing '/')
  std::string endpoint;     // scheme://host[:port][/path], no trailing '/'
  std::string tier;         // "", "Hot", "Cool", "Cold" or "Archive"
  std::string key;          // base64 account key; "" when using a SAS
  std::string sas;          // SAS query without '?'; "" when using the key
  int part_uploads = 4;     // blocks of one blob in flight at once
  int connections = 8;      // requests the store may have in flight (a wrapper enforces it)
  int timeout_seconds = 0;  // connect and stall timeout; 0: http::ClientOptions' defaults
  std::string immutability;  // "", "Unlocked" or "Locked"
  int lock_days = 0;         // with immutability: days from each upload
};

using GetEnv = std::function<std::optional<std::string>(const char*)>;
// Reads the process environment.
std::optional<std::string> ProcessEnv(const char* name);

Result<AzureConfig> ParseAzureUrl(std::string_view url, const GetEnv& env = ProcessEnv,
                                  const StoreCredentials& given = {});

}  // namespace arkiv::storage
