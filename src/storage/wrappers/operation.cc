#include "storage/wrappers/operation.h"

namespace arkiv::storage {

std::string_view OperationName(Operation op) {
  switch (op) {
    case Operation::kPut: return "put";
    case Operation::kGet: return "get";
    case Operation::kStat: return "stat";
    case Operation::kList: return "list";
    case Operation::kRemove: return "remove";
  }
  return "unknown";
}

}  // namespace arkiv::storage
