// The names of one directory's entries, sorted by their bytes, held
// compactly: one buffer of NUL-terminated names and an offset per name
// (8 bytes + the name + 1, against 32 bytes + the name beyond 15 for a
// vector of strings: 17 MB instead of 32 MB for 1M names of 8 bytes). The
// backup keeps them for the whole directory while it streams the nodes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace arkiv::engine {

class DirectoryNames {
 public:
  // Reads the open directory `dir_fd` ("." and ".." left out) and sorts it;
  // `path` names it in errors. The descriptor stays open (and at its end).
  static Result<DirectoryNames> Read(int dir_fd, const std::string& path);

  size_t size() const { return offsets_.size(); }
  std::string_view operator[](size_t i) const { return std::string_view(buffer_.data() + offsets_[i]); }

 private:
  std::string buffer_;
  std::vector<size_t> offsets_;
};

}  // namespace arkiv::engine
