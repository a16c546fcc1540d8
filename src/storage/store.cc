#include "storage/store.h"

#include <fmt/format.h>

namespace arkiv::storage {

Status ValidateObjectName(std::string_view name) {
  if (name.empty() || name.size() > 1024) return Fail(Code::kInvalidArgument, "object name empty or too long");
  if (name.front() == '/' || name.back() == '/') {
    return Fail(Code::kInvalidArgument, fmt::format("object name {:?} starts or ends with '/'", name));
  }
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    std::string_view part = name.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") {
      return Fail(Code::kInvalidArgument, fmt::format("object name {:?} has an empty, '.' or '..' part", name));
    }
    start = end + 1;
  }
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == '\\' || c == 0x7f) {
      return Fail(Code::kInvalidArgument, fmt::format("object name {:?} has a control character or '\\'", name));
    }
  }
  return OkStatus();
}

}  // namespace arkiv::storage
