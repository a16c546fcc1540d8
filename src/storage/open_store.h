// Turns a repository URL into a Store.
//   file:///abs/path, or a plain path      -> LocalStore
//   memory://NAME                          -> a MemoryStore shared within this process
//   azure://ACCOUNT/CONTAINER[/PREFIX]?... -> AzureStore (see backends/azure_config.h)
// Other cloud schemes (s3://, sftp://) are added by the cloud-stores work.
#pragma once

#include <memory>
#include <string_view>

#include "storage/store.h"

namespace arkiv::storage {

Result<std::shared_ptr<Store>> OpenStore(std::string_view url);

}  // namespace arkiv::storage
