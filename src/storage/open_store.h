// Turns a repository URL into a Store.
//   file:///abs/path, or a plain path      -> LocalStore
//   memory://NAME                          -> a MemoryStore shared within this process
//   sftp://[user@]host[:port]/abs/path[?key=FILE&known_hosts=FILE&timeout=S]
//                                          -> SftpStore (see sftp_url.h)
// Cloud schemes (s3://, azure://) are added by the cloud-stores work.
#pragma once

#include <memory>
#include <string_view>

#include "storage/store.h"

namespace arkiv::storage {

Result<std::shared_ptr<Store>> OpenStore(std::string_view url);

}  // namespace arkiv::storage
