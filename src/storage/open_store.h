// Turns a repository URL into a Store.
//   file:///abs/path, or a plain path      -> LocalStore
//   memory://NAME                          -> a MemoryStore shared within this process
//   s3://BUCKET/PREFIX?...                 -> S3Store (see backends/s3_store.h)
//   azure://ACCOUNT/CONTAINER[/PREFIX]?... -> AzureStore (see backends/azure_config.h)
//   sftp://[USER@]HOST[:PORT]/PATH?...     -> SftpStore (see backends/sftp_url.h)
#pragma once

#include <memory>
#include <string_view>

#include "storage/store.h"

namespace arkiv::storage {

Result<std::shared_ptr<Store>> OpenStore(std::string_view url);

}  // namespace arkiv::storage
