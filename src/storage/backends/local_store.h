// A store in a local directory (`file:///path` or a plain path).
//
// Each object is a file under the root; '/' in names makes subdirectories.
// Put writes a temporary file ".arkiv-tmp-*" beside the target, fsyncs it,
// renames it into place and fsyncs the directory, so a crash leaves either
// the old state or the whole new object. Temporary files are never listed.
#pragma once

#include <filesystem>

#include "storage/store.h"

namespace arkiv::storage {

class LocalStore : public Store {
 public:
  // `root` need not exist yet; Put creates directories as needed.
  explicit LocalStore(std::filesystem::path root);

  std::string Location() const override;
  Status Put(std::string_view name, ByteView data, PutMode mode = PutMode::kReplace) override;
  Result<Bytes> Get(std::string_view name, uint64_t offset = 0, uint64_t length = kToEnd) override;
  Result<ObjectInfo> Stat(std::string_view name) override;
  Status List(std::string_view prefix, const std::function<Status(const ObjectInfo&)>& fn) override;
  Status Remove(std::string_view name) override;

  const std::filesystem::path& root() const { return root_; }

 private:
  std::string PathOf(std::string_view name) const;
  Status MakeParents(const std::string& path) const;
  Status ListDirectory(const std::string& dir, const std::string& name_prefix, std::string_view prefix,
                       const std::function<Status(const ObjectInfo&)>& fn) const;

  std::filesystem::path root_;
};

}  // namespace arkiv::storage
