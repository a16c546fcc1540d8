// A status line redrawn on the terminal while long work runs.
//
// Runs a thread that calls `render` every 250 ms and rewrites one line on
// stderr; does nothing unless stderr is a terminal. In JSON mode it instead
// prints `render`'s result (a JSON object) as one line on stdout each second.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace arkiv::cli {

class ProgressLine {
 public:
  enum class Mode { kOff, kTerminal, kJsonLines };
  ProgressLine(std::function<std::string(double elapsed_seconds)> render, Mode mode);
  ~ProgressLine();  // clears the line
  void Stop();

 private:
  std::function<std::string(double)> render_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace arkiv::cli
