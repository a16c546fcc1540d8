#include "engine/exclude.h"

#include <fnmatch.h>

#include <fstream>
#include <optional>

#include "core/posix_error.h"

namespace arkiv::engine {
namespace {

bool FnMatch(std::string_view pattern, std::string_view text) {
  return ::fnmatch(std::string(pattern).c_str(), std::string(text).c_str(), FNM_PATHNAME) == 0;
}

// "**" matches any run of characters, '/' included; "/**/" also matches a
// single '/' (no directory at all), so "/a/**/b" matches "/a/b".
bool GlobMatch(std::string_view pattern, std::string_view text) {
  size_t star2 = pattern.find("**");
  if (star2 == std::string_view::npos) return FnMatch(pattern, text);
  std::string_view head = pattern.substr(0, star2);
  std::string_view tail = pattern.substr(star2 + 2);
  bool may_be_empty_dir = head.ends_with('/') && tail.starts_with('/');
  // "**" consumes text[start, end) and the tail matches text[end, ...). Any
  // end a later start allows, the first start allows too: one pass over ends.
  std::optional<size_t> first_start;
  for (size_t start = 0; start <= text.size(); ++start) {
    if (!FnMatch(head, text.substr(0, start))) continue;
    if (may_be_empty_dir && GlobMatch(tail.substr(1), text.substr(start))) return true;
    if (!first_start) first_start = start;
  }
  if (!first_start) return false;
  for (size_t end = *first_start; end <= text.size(); ++end) {
    if (GlobMatch(tail, text.substr(end))) return true;
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
