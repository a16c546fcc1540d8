#include "serve/status_refresher.h"

#include <chrono>
#include <exception>

#include "core/log.h"
#include "serve/probe_history.h"

namespace arkiv::serve {
namespace {

constexpr int64_t kSecondNs = 1000000000;

int64_t Ns(double seconds) {
  return static_cast<int64_t>(seconds * 1e9);
}

int64_t WallClockNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

StatusRefresher::StatusRefresher(StatusBoard& board, GatherFunction gather, monitor::History* history,
                                 RefresherOptions options)
    : board_(board), gather_(std::move(gather)), history_(history), options_(options) {}

StatusRefresher::~StatusRefresher() {
  Stop();
}

void StatusRefresher::CarryListing(monitor::StatusInput& input, bool listed_now) {
  if (listed_now) {
    debt_objects_ = input.debt_objects;
    for (const auto& c : input.clouds) {
      Listing& l = listing_[c.name];
      l.debt = c.debt;
      if (c.listed) l = {true, c.objects, c.bytes, c.debt};
    }
    // A cloud that was down has no listing now: it keeps its last one.
  }
  input.debt_objects = debt_objects_;
  for (auto& c : input.clouds) {
    auto it = listing_.find(c.name);
    if (it == listing_.end()) continue;
    c.debt = it->second.debt;
    if (!c.listed && it->second.listed) {
      c.listed = true;
      c.objects = it->second.objects;
      c.bytes = it->second.bytes;
    }
  }
}

void StatusRefresher::RefreshOnce(int64_t now_ns) {
  auto start = std::chrono::steady_clock::now();
  auto took = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  bool list = listed_ns_ == 0 || now_ns - listed_ns_ >= Ns(options_.list_interval_s);
  std::string error;
  try {
    Result<monitor::StatusInput> input = gather_(now_ns, list);
    if (input) {
      if (list) listed_ns_ = now_ns;
      CarryListing(*input, list);
      monitor::StatusReport report = monitor::Evaluate(*input);
      nlohmann::json history = nlohmann::json::object();
      if (history_) {
        std::vector<std::string> names;
        for (const auto& c : input->clouds) names.push_back(c.name);
        auto series =
            ProbeHistoryJson(*history_, names, now_ns - Ns(options_.history_window_s), now_ns, options_.history_points);
        if (series) {
          history = std::move(*series);
        } else {
          LogLine(LogLevel::kWarning, "serve: probe history not read: " + series.error().message());
        }
      }
      if (failing_since_ns_ != 0) LogLine(LogLevel::kWarning, "serve: the status is gathered again");
      failing_since_ns_ = 0;
      board_.PublishGathered(std::move(*input), std::move(report), std::move(history), now_ns, took());
      return;
    }
    error = input.error().message();
  } catch (const std::exception& e) {
    // Nothing the repository holds may take the server down.
    error = std::string("unexpected error: ") + e.what();
  }
  // Said when it starts and then hourly, not at every refresh of a long
  // outage (the message itself varies: clouds answer in any order).
  if (failing_since_ns_ == 0 || now_ns - logged_ns_ >= 3600 * kSecondNs) {
    LogLine(LogLevel::kWarning, "serve: the status could not be gathered: " + error);
    logged_ns_ = now_ns;
  }
  if (failing_since_ns_ == 0) failing_since_ns_ = now_ns;
  board_.PublishFailure(error, now_ns, took());
}

void StatusRefresher::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void StatusRefresher::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void StatusRefresher::Loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    lock.unlock();
    RefreshOnce(WallClockNs());
    lock.lock();
    wake_.wait_for(lock, std::chrono::duration<double>(options_.interval_s), [this] { return stop_; });
  }
}

}  // namespace arkiv::serve
