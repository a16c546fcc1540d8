#include "cli/job_record.h"

#include <unistd.h>

#include <chrono>

#include "core/log.h"
#include "monitor/job_summary.h"

namespace arkiv::cli {

std::string NotifyCommand(const GlobalOptions& options) {
  if (!options.notify_command.empty()) return options.notify_command;
  if (options.config && options.config->notify_command) return *options.config->notify_command;
  return "";
}

std::string HostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof(buf) - 1) != 0) return "unknown";
  return buf;
}

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void RecordJob(repo::Repository& repo, const GlobalOptions&, const monitor::HistoryEvent& event, bool publish) {
  auto history = monitor::History::Open(monitor::DefaultHistoryPath(repo.config().id.Hex()));
  Status recorded = history ? (*history)->Record(event) : Fail(history.error());
  if (!recorded) LogLine(LogLevel::kWarning, "history not recorded: " + recorded.error().message());
  if (!publish) return;
  monitor::JobSummary summary{event.kind, HostName(), event.time_ns, event.ok, event.seconds, event.detail};
  if (Status st = monitor::PublishJobSummary(repo, summary); !st) {
    LogLine(LogLevel::kWarning, "job summary not written to the repository: " + st.error().message());
  }
}

}  // namespace arkiv::cli
