#include "storage/backends/memory_store.h"

#include <fmt/format.h>

#include <vector>

namespace arkiv::storage {

Status MemoryStore::Put(std::string_view name, ByteView data, PutMode mode) {
  RETURN_IF_ERROR(ValidateObjectName(name));
  std::lock_guard lock(mutex_);
  auto it = objects_.find(name);
  if (it != objects_.end() && mode == PutMode::kCreateOnly) {
    return Fail(Code::kAlreadyExists, fmt::format("{}: object {} already exists", Location(), name));
  }
  objects_.insert_or_assign(std::string(name), Bytes(data.begin(), data.end()));
  return OkStatus();
}

Result<Bytes> MemoryStore::Get(std::string_view name, uint64_t offset, uint64_t length) {
  RETURN_IF_ERROR(ValidateObjectName(name));
  std::lock_guard lock(mutex_);
  auto it = objects_.find(name);
  if (it == objects_.end()) return Fail(Code::kNotFound, fmt::format("{}: object {} not found", Location(), name));
  const Bytes& data = it->second;
  if (length == kToEnd) {
    if (offset > data.size()) {
      return Fail(Code::kInvalidArgument, fmt::format("{}: offset {} past the end of {}", Location(), offset, name));
    }
    length = data.size() - offset;
  }
  if (offset > data.size() || length > data.size() - offset) {
    return Fail(Code::kInvalidArgument,
                fmt::format("{}: range {}+{} outside {} ({} bytes)", Location(), offset, length, name, data.size()));
  }
  return Bytes(data.begin() + static_cast<ptrdiff_t>(offset), data.begin() + static_cast<ptrdiff_t>(offset + length));
}

Result<ObjectInfo> MemoryStore::Stat(std::string_view name) {
  RETURN_IF_ERROR(ValidateObjectName(name));
  std::lock_guard lock(mutex_);
  auto it = objects_.find(name);
  if (it == objects_.end()) return Fail(Code::kNotFound, fmt::format("{}: object {} not found", Location(), name));
  return ObjectInfo{it->first, it->second.size()};
}

Status MemoryStore::List(std::string_view prefix, const std::function<Status(const ObjectInfo&)>& fn) {
  std::vector<ObjectInfo> found;
  {
    std::lock_guard lock(mutex_);
    for (auto it = objects_.lower_bound(prefix); it != objects_.end() && it->first.starts_with(prefix); ++it) {
      found.push_back({it->first, it->second.size()});
    }
  }
  for (const auto& info : found) RETURN_IF_ERROR(fn(info));
  return OkStatus();
}

Status MemoryStore::Remove(std::string_view name) {
  RETURN_IF_ERROR(ValidateObjectName(name));
  std::lock_guard lock(mutex_);
  auto it = objects_.find(name);
  if (it == objects_.end()) return Fail(Code::kNotFound, fmt::format("{}: object {} not found", Location(), name));
  objects_.erase(it);
  return OkStatus();
}

size_t MemoryStore::ObjectCount() const {
  std::lock_guard lock(mutex_);
  return objects_.size();
}

Bytes* MemoryStore::MutableObject(std::string_view name) {
  std::lock_guard lock(mutex_);
  auto it = objects_.find(name);
  return it == objects_.end() ? nullptr : &it->second;
}

}  // namespace arkiv::storage
