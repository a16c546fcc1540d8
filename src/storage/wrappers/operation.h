// The five calls of the Store interface, named, for wrappers that count,
// limit or fault them per operation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace arkiv::storage {

enum class Operation : uint8_t { kPut = 0, kGet, kStat, kList, kRemove };
inline constexpr size_t kOperationCount = 5;

// "put", "get", "stat", "list", "remove".
std::string_view OperationName(Operation op);

}  // namespace arkiv::storage
