#include "serve/status_board.h"

#include <fmt/format.h>

#include "core/prometheus_writer.h"
#include "monitor/status_gather.h"
#include "monitor/status_metrics.h"

namespace arkiv::serve {
namespace {

int64_t Millis(int64_t ns) {
  return ns / 1000000;
}

}  // namespace

StatusBoard::StatusBoard(ServeInfo info) : info_(std::move(info)), latest_(std::make_shared<BoardView>()) {}

void StatusBoard::PublishGathered(monitor::StatusInput input, monitor::StatusReport report, nlohmann::json history,
                                  int64_t started_ns, double seconds) {
  std::lock_guard lock(mu_);
  auto view = std::make_shared<BoardView>();
  view->attempted = true;
  view->gathered = true;
  view->input = std::move(input);
  view->report = std::move(report);
  view->refreshed_ns = started_ns;
  view->refresh_seconds = seconds;
  view->refreshes = latest_->refreshes + 1;
  view->failures = latest_->failures;
  view->history = std::move(history);
  latest_ = std::move(view);
}

void StatusBoard::PublishFailure(const std::string& error, int64_t started_ns, double seconds) {
  std::lock_guard lock(mu_);
  auto view = std::make_shared<BoardView>(*latest_);
  view->attempted = true;
  view->error = error;
  view->report = {monitor::Verdict::kCritical,
                  {{monitor::Verdict::kCritical, fmt::format("the status could not be gathered: {}", error)}}};
  view->refreshed_ns = started_ns;
  view->refresh_seconds = seconds;
  view->refreshes++;
  view->failures++;
  latest_ = std::move(view);
}

std::shared_ptr<const BoardView> StatusBoard::Latest() const {
  std::lock_guard lock(mu_);
  return latest_;
}

nlohmann::json ApiStatusJson(const BoardView& view, const ServeInfo& info, int64_t now_ns) {
  nlohmann::json j = monitor::StatusJson(view.input, view.report);
  if (!view.attempted) {
    j["verdict"] = "UNKNOWN";
    j["findings"] = nlohmann::json::array({{{"level", "UNKNOWN"}, {"message", "gathering the first status"}}});
  }
  nlohmann::json serve{{"repository", info.repository},
                       {"now_ms", Millis(now_ns)},
                       {"interval_seconds", info.interval_s},
                       {"list_interval_seconds", info.list_interval_s},
                       {"refreshes", view.refreshes},
                       {"failures", view.failures},
                       {"refresh_ok", view.attempted && view.error.empty()},
                       {"error", view.error}};
  if (view.attempted) {
    serve["refreshed_ms"] = Millis(view.refreshed_ns);
    serve["refresh_seconds"] = view.refresh_seconds;
  }
  if (view.gathered) serve["gathered_ms"] = Millis(view.input.now_ns);
  j["serve"] = std::move(serve);
  return j;
}

std::string BoardMetricsText(const BoardView& view) {
  std::string out;
  if (view.gathered && view.error.empty()) {
    out = monitor::StatusMetricsText(view.input, view.report);
  } else if (view.attempted) {
    // The facts are unknown now: only the verdict, no stale values.
    PrometheusWriter w;
    w.Family("arkiv_status", "gauge", "Health verdict of arkiv status: 0 OK, 1 WARNING, 2 CRITICAL.");
    w.Sample("arkiv_status", "", static_cast<int>(monitor::Verdict::kCritical));
    out = w.Take();
  }
  PrometheusWriter w;
  w.Family("arkiv_serve_refreshes_total", "counter", "Status refreshes finished by arkiv serve, failed ones included.");
  w.Sample("arkiv_serve_refreshes_total", "", view.refreshes);
  w.Family("arkiv_serve_refresh_failures_total", "counter", "Status refreshes that could not gather the facts.");
  w.Sample("arkiv_serve_refresh_failures_total", "", view.failures);
  if (view.attempted) {
    w.Family("arkiv_serve_last_refresh_success", "gauge", "1 when the newest refresh gathered the facts.");
    w.Sample("arkiv_serve_last_refresh_success", "", view.error.empty() ? 1 : 0);
    w.Family("arkiv_serve_last_refresh_timestamp_seconds", "gauge", "Start of the newest refresh.");
    w.Sample("arkiv_serve_last_refresh_timestamp_seconds", "", static_cast<double>(view.refreshed_ns) / 1e9);
    w.Family("arkiv_serve_last_refresh_duration_seconds", "gauge", "Duration of the newest refresh.");
    w.Sample("arkiv_serve_last_refresh_duration_seconds", "", view.refresh_seconds);
  }
  return out + w.Take();
}

}  // namespace arkiv::serve
