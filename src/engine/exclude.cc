#include "engine/exclude.h"

#include <fnmatch.h>

#include <fstream>

#include "core/posix_error.h"

namespace arkiv::engine {
namespace {

// "**" may cross '/': try it against every suffix.
bool GlobMatch(std::string_view pattern, std::string_view text) {
  size_t star2 = pattern.find("**");
  if (star2 == std::string_view::npos) {
    return ::fnmatch(std::string(pattern).c_str(), std::string(text).c_str(), FNM_PATHNAME) == 0;
  }
  std::string_view head = pattern.substr(0, star2);
  std::string_view tail = pattern.substr(star2 + 2);
  for (size_t split = 0; split <= text.size(); ++split) {
    if (::fnmatch(std::string(head).c_str(), std::string(text.substr(0, split)).c_str(), FNM_PATHNAME) != 0) continue;
    if (GlobMatch(tail, text.substr(split))) return true;
  }
  return false;
}

}  // namespace

void ExcludeRules::Add(std::string pattern) {
  while (pattern.size() > 1 && pattern.back() == '/') pattern.pop_back();
  if (!pattern.empty()) patterns_.push_back(std::move(pattern));
}

Status ExcludeRules::AddFromFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return FailErrno(errno, "open exclude file " + path);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    Add(line);
  }
  return OkStatus();
}

bool ExcludeRules::Matches(std::string_view absolute_path, std::string_view name) const {
  for (const auto& pattern : patterns_) {
    bool whole_path = pattern.find('/') != std::string::npos;
    if (GlobMatch(pattern, whole_path ? absolute_path : name)) return true;
  }
  return false;
}

}  // namespace arkiv::engine
