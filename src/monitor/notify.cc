#include "monitor/notify.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string_view>
#include <thread>
#include <vector>

#include "core/log.h"
#include "repo/system_info.h"

namespace arkiv::monitor {
Status RunNotifyCommand(const std::string& command, std::string_view event, const std::string& input,
                        int timeout_seconds) {
  // The child of a process with threads (serve) may only make
  // async-signal-safe calls until exec: another thread may have held the
  // malloc lock at the fork. So its arguments and environment are built here,
  // and it calls only dup2, execve and _exit.
  std::string event_variable = fmt::format("ARKIV_EVENT={}", event);
  std::vector<char*> environment;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!std::string_view(*e).starts_with("ARKIV_EVENT=")) environment.push_back(*e);
  }
  environment.push_back(event_variable.data());
  environment.push_back(nullptr);
  const char* arguments[] = {"sh", "-c", command.c_str(), nullptr};
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Fail(Code::kUnavailable, "notify: pipe failed");
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return Fail(Code::kUnavailable, "notify: fork failed");
  }
  if (pid == 0) {
    ::dup2(fds[0], 0);
    ::execve("/bin/sh", const_cast<char* const*>(arguments), environment.data());
    ::_exit(127);
  }
  ::close(fds[0]);
  // The reader may exit without reading everything; that is its business.
  // NOLINTNEXTLINE(cert-err33-c): fails only for an invalid signal number.
  ::signal(SIGPIPE, SIG_IGN);
  size_t done = 0;
  while (done < input.size()) {
    ssize_t n = ::write(fds[1], input.data() + done, input.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fds[1]);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) return Fail(Code::kUnavailable, "notify: waitpid failed");
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return Fail(Code::kUnavailable, fmt::format("notify command for {} timed out after {}s", event, timeout_seconds));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return OkStatus();
  return Fail(Code::kUnavailable, fmt::format("notify command for {} {}", event,
                                              WIFEXITED(status) ? fmt::format("exited with {}", WEXITSTATUS(status))
                                                                : fmt::format("died of signal {}", WTERMSIG(status))));
}

Notifier::Notifier(std::string command, std::string repository_id, std::string host, History* history)
    : command_(std::move(command)),
      repository_id_(std::move(repository_id)),
      host_(std::move(host)),
      history_(history) {}

void Notifier::Send(std::string_view event, nlohmann::json fields) {
  if (command_.empty()) return;
  int64_t now = repo::NowUnixNanos();
  fields["event"] = event;
  fields["time"] = repo::FormatRfc3339(now);
  fields["host"] = host_;
  fields["repository"] = repository_id_;
  if (Status st = RunNotifyCommand(command_, event, fields.dump() + "\n"); !st) {
    LogLine(LogLevel::kWarning, st.error().message());
  }
  if (history_) (void)history_->Record({now, "notify", std::string(event), true, 0, 0, fields.dump()});
}

void Notifier::OnState(std::string_view key, bool bad, std::string_view bad_event, std::string_view good_event,
                       nlohmann::json fields) {
  std::optional<bool> was_bad;
  if (history_) {
    if (auto last = history_->Latest("state", key); last && *last) was_bad = !(*last)->ok;
  }
  if (was_bad == bad) return;
  if (history_) (void)history_->Record({repo::NowUnixNanos(), "state", std::string(key), !bad, 0, 0, ""});
  if (bad) {
    Send(bad_event, std::move(fields));
  } else if (was_bad) {
    Send(good_event, std::move(fields));
  }
}

void NotifyChanges(Notifier& notifier, const StatusInput& in) {
  for (const auto& c : in.clouds) {
    notifier.OnState("cloud:" + c.name, !c.up, "cloud_down", "cloud_up",
                     {{"cloud", c.name},
                      {"message", c.up ? fmt::format("cloud {} answers again", c.name)
                                       : fmt::format("cloud {} does not answer: {}", c.name, c.error)}});
  }
  for (const auto& s : in.sources) {
    double age = static_cast<double>(in.now_ns - s.latest_ns) / 1e9;
    bool breached = age > s.rpo_s;
    notifier.OnState(
        "rpo:" + s.Label(), breached, "rpo_breached", "rpo_met",
        {{"source", s.Label()},
         {"age_seconds", age},
         {"rpo_seconds", s.rpo_s},
         {"message", breached ? fmt::format("{}: newest snapshot is {} old, beyond the RPO of {}", s.Label(),
                                            HumanAge(age), HumanAge(s.rpo_s))
                              : fmt::format("{}: within its RPO of {} again", s.Label(), HumanAge(s.rpo_s))}});
  }
}

}  // namespace arkiv::monitor
