// Walks the backup sources ahead of the backup, on its own thread, to count
// files and bytes for the progress display's percentage and ETA. Only stats:
// reads no file content.
#pragma once

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "engine/backup.h"
#include "engine/exclude.h"

namespace arkiv::engine {

class SourceScanner {
 public:
  SourceScanner(std::vector<std::string> paths, const ExcludeRules& excludes, BackupProgress& progress);
  ~SourceScanner();
  void Stop();

 private:
  void Scan(const std::string& path);

  std::vector<std::string> paths_;
  const ExcludeRules& excludes_;
  BackupProgress& progress_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace arkiv::engine
