#include "cli/progress_line.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace arkiv::cli {

ProgressLine::ProgressLine(std::function<std::string(double)> render, Mode mode) : render_(std::move(render)) {
  if (mode == Mode::kJsonLines) {
    thread_ = std::thread([this] {
      auto start = std::chrono::steady_clock::now();
      std::unique_lock lock(mutex_);
      while (!wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; })) {
        double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::string line = render_(elapsed);
        std::fprintf(stdout, "%s\n", line.c_str());
        std::fflush(stdout);
      }
    });
    return;
  }
  if (mode == Mode::kOff || !::isatty(STDERR_FILENO)) return;
  thread_ = std::thread([this] {
    auto start = std::chrono::steady_clock::now();
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stop_; })) {
      double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::string line = render_(elapsed);
      winsize ws{};
      size_t width = ::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 ? ws.ws_col : 100;
      if (line.size() >= width) line.resize(width - 1);
      std::fprintf(stderr, "\r\033[K%s", line.c_str());
      std::fflush(stderr);
    }
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  });
}

ProgressLine::~ProgressLine() {
  Stop();
}

void ProgressLine::Stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace arkiv::cli
