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
#include <string_view>
#include <thread>

namespace arkiv::cli {

// A line of status text that work sets (any thread) and a ProgressLine shows.
class StatusText {
 public:
  void Set(std::string_view text) {
    std::lock_guard lock(mutex_);
    text_ = text;
  }
  std::string Get() const {
    std::lock_guard lock(mutex_);
    return text_;
  }
  // For the engine's progress callbacks.
  std::function<void(std::string_view)> Setter() {
    return [this](std::string_view text) { Set(text); };
  }

 private:
  mutable std::mutex mutex_;
  std::string text_;
};

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
