// An in-memory store for unit tests and fault injection. Objects live as long
// as the MemoryStore object.
#pragma once

#include <map>
#include <mutex>

#include "storage/store.h"

namespace arkiv::storage {

class MemoryStore : public Store {
 public:
  explicit MemoryStore(std::string name = "test") : name_(std::move(name)) {}

  std::string Location() const override { return "memory://" + name_; }
  Status Put(std::string_view name, ByteView data, PutMode mode = PutMode::kReplace) override;
  Result<Bytes> Get(std::string_view name, uint64_t offset = 0, uint64_t length = kToEnd) override;
  Result<ObjectInfo> Stat(std::string_view name) override;
  Status List(std::string_view prefix, const std::function<Status(const ObjectInfo&)>& fn) override;
  Status Remove(std::string_view name) override;

  // Test hooks: direct access to the stored bytes.
  size_t ObjectCount() const;
  Bytes* MutableObject(std::string_view name);

 private:
  std::string name_;
  mutable std::mutex mutex_;
  std::map<std::string, Bytes, std::less<>> objects_;
};

}  // namespace arkiv::storage
