// A store in a local directory (`file:///path` or a plain path).
//
// Each object is a file under the root; '/' in names makes subdirectories.
// Put writes a temporary file ".arkiv-tmp-*" beside the target, fsyncs it,
// renames it into place and fsyncs the directory, so a crash leaves either
// the old state or the whole new object. Temporary files are never listed.
// Remove leaves empty directories behind; they are never listed, and a Put
// whose name is such an empty directory removes it first. A name that is a
// directory of other objects ("a" beside "a/b") is kFailedPrecondition.
// Temporary files a crash leaves behind stay until someone deletes them.
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
  // Writes `data` to a new temporary file in `dir` and syncs it; returns its path.
  Result<std::string> WriteTemporary(const std::string& dir, ByteView data) const;
  // Moves the temporary file to `path` (kCreateOnly: kAlreadyExists if taken).
  Status Publish(const std::string& temp, const std::string& path, PutMode mode) const;
  Status ListDirectory(const std::string& dir, const std::string& name_prefix, std::string_view prefix,
                       const std::function<Status(const ObjectInfo&)>& fn) const;

  std::filesystem::path root_;
};

}  // namespace arkiv::storage
