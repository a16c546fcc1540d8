#include "engine/source_scanner.h"

#include <dirent.h>
#include <sys/stat.h>

namespace arkiv::engine {

SourceScanner::SourceScanner(std::vector<std::string> paths, const ExcludeRules& excludes, BackupProgress& progress)
    : paths_(std::move(paths)), excludes_(excludes), progress_(progress), thread_([this] {
        for (const auto& p : paths_) Scan(p);
        progress_.scan_finished = true;
      }) {}

SourceScanner::~SourceScanner() { Stop(); }

void SourceScanner::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void SourceScanner::Scan(const std::string& path) {
  if (stop_) return;
  struct stat st{};
  if (::lstat(path.c_str(), &st) != 0) return;
  if (S_ISREG(st.st_mode)) {
    progress_.total_files++;
    progress_.total_bytes += static_cast<uint64_t>(st.st_size);
    return;
  }
  if (!S_ISDIR(st.st_mode)) return;
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return;
  // Files are counted as they are listed; only subdirectories are kept for
  // after (a directory of a million files costs no list of them).
  std::vector<std::string> subdirs;
  while (dirent* e = ::readdir(dir)) {
    if (stop_) break;
    std::string_view n = e->d_name;
    if (n == "." || n == "..") continue;
    std::string child = path == "/" ? "/" + std::string(n) : path + "/" + std::string(n);
    if (excludes_.Matches(child, n)) continue;
    struct stat child_st{};
    if (::lstat(child.c_str(), &child_st) != 0) continue;
    if (S_ISREG(child_st.st_mode)) {
      progress_.total_files++;
      progress_.total_bytes += static_cast<uint64_t>(child_st.st_size);
    } else if (S_ISDIR(child_st.st_mode)) {
      subdirs.push_back(std::move(child));
    }
  }
  ::closedir(dir);
  for (const auto& d : subdirs) Scan(d);
}

}  // namespace arkiv::engine
