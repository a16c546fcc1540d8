// Exclude patterns for backup (`--exclude GLOB`, `--exclude-file F`).
//
// A pattern without '/' matches any path component's name ("*.o", ".git");
// a pattern with '/' matches the whole absolute path ("/home/*/.cache"),
// with '*' not crossing '/'; "**" crosses directories.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace arkiv::engine {

class ExcludeRules {
 public:
  void Add(std::string pattern);
  // Reads one pattern a line; blank lines and lines starting with '#' are skipped.
  Status AddFromFile(const std::string& path);
  bool Matches(std::string_view absolute_path, std::string_view name) const;
  bool empty() const { return patterns_.empty(); }

 private:
  std::vector<std::string> patterns_;
};

}  // namespace arkiv::engine
