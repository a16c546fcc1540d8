// arkiv serve: the repository's health over HTTP — Prometheus /metrics, a
// status page at /, its JSON at /api/status and /api/history — refreshed by
// a background loop (serve/status_refresher.h). Runs until SIGINT or SIGTERM,
// then exits 0.
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <iostream>
#include <map>
#include <thread>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/job_record.h"
#include "engine/forget_policy.h"
#include "monitor/history.h"
#include "monitor/notify.h"
#include "monitor/status_gather.h"
#include "repo/system_info.h"
#include "serve/interval.h"
#include "serve/listen_address.h"
#include "serve/status_board.h"
#include "serve/status_refresher.h"
#include "serve/status_server.h"
#include "storage/wrappers/metrics_store.h"
#include "storage/wrappers/prometheus_text.h"

namespace arkiv::cli {
namespace {

// SIGINT and SIGTERM become a byte on a pipe, which a thread waits for: the
// handler does nothing a signal handler may not, and whichever thread the
// signal lands on, the server is stopped from an ordinary thread.
int g_signal_pipe[2] = {-1, -1};

extern "C" void OnStopSignal(int) {
  char byte = 's';
  [[maybe_unused]] ssize_t n = ::write(g_signal_pipe[1], &byte, 1);
}

class StopSignals {
 public:
  StopSignals() {
    if (::pipe2(g_signal_pipe, O_CLOEXEC) != 0) return;
    struct sigaction action = {};
    action.sa_handler = OnStopSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &action, &old_int_);
    ::sigaction(SIGTERM, &action, &old_term_);
  }
  ~StopSignals() {
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
    ::close(g_signal_pipe[0]);
    ::close(g_signal_pipe[1]);
    g_signal_pipe[0] = g_signal_pipe[1] = -1;
  }
  // Blocks until a signal came or Wake() was called; true for a signal.
  bool Wait() {
    char byte = 0;
    while (::read(g_signal_pipe[0], &byte, 1) < 0 && errno == EINTR) {
    }
    return byte == 's';
  }
  void Wake() {
    char byte = 'w';
    [[maybe_unused]] ssize_t n = ::write(g_signal_pipe[1], &byte, 1);
  }

 private:
  struct sigaction old_int_ = {};
  struct sigaction old_term_ = {};
};

// Opens the stores of the clouds (or the one store) with a MetricsStore on
// top of each, so that /metrics shows the requests this server made.
using MetricsByCloud = std::map<std::string, std::shared_ptr<storage::StoreMetrics>>;

std::shared_ptr<storage::Store> Metered(std::shared_ptr<storage::Store> store, const std::string& name,
                                        MetricsByCloud& metrics) {
  auto& m = metrics[name];
  if (!m) m = std::make_shared<storage::StoreMetrics>(name);
  return std::make_shared<storage::MetricsStore>(std::move(store), m);
}

}  // namespace

void AddServeCommand(CLI::App& app, GlobalOptions& global, int& exit_code) {
  struct Options {
    std::string listen{serve::kDefaultListen};
    std::string interval = "60s";
    std::string list_interval = "15m";
    std::string rpo;  // empty: the config file's rpo, else 24h
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("serve", "Serve Prometheus /metrics and a status page over HTTP");
  cmd->footer(
      "Every --interval the clouds are probed (recorded in the local history) and the snapshots, repair debt and\n"
      "the last check, repair and drill are read, as `arkiv status` does; the clouds are listed (stored bytes and\n"
      "objects, repair debt) every --list-interval. Served, read-only:\n"
      "  /             status page: verdict, clouds (health, latency, stored bytes), snapshots per source against\n"
      "                the RPO, last check, repair and drill\n"
      "  /metrics      Prometheus text (the same as `status --prometheus`, plus arkiv_serve_* and the requests\n"
      "                this server made, arkiv_store_*)\n"
      "  /api/status   the same facts as JSON (as `status --json`); /api/history: probe latency per cloud\n"
      "  /healthz      ok while the server runs\n"
      "There is no authentication: listen on loopback (the default), or put a proxy with one in front.\n"
      "Stops on SIGINT or SIGTERM (exit 0).\n"
      "  arkiv serve --listen 127.0.0.1:9464 --interval 1m --rpo 1d");
  cmd->add_option("--listen", opts->listen, "HOST:PORT to listen on (port 0: any free port)")->capture_default_str();
  cmd->add_option("--interval", opts->interval, "Refresh every (seconds, or 30s, 5m, 1h)")->capture_default_str();
  cmd->add_option("--list-interval", opts->list_interval, "List the clouds every (0: at every refresh)")
      ->capture_default_str();
  cmd->add_option("--rpo", opts->rpo,
                  "Recovery point objective of every source (e.g. 24h, 2d; default: the config file's rpo and "
                  "[sources] rpos, else 24h)");
  cmd->callback([&global, &exit_code, opts] {
    exit_code = RunCommand(global, [&]() -> Result<int> {
      ASSIGN_OR_RETURN(serve::ListenAddress address, serve::ParseListenAddress(opts->listen));
      ASSIGN_OR_RETURN(double interval_s, serve::ParseInterval("--interval", opts->interval, 0.1));
      ASSIGN_OR_RETURN(double list_interval_s, serve::ParseInterval("--list-interval", opts->list_interval, 0));
      // As `status` judges: --rpo, else the config file's, else a day.
      std::optional<int64_t> rpo_ns = int64_t{24} * 3600 * 1'000'000'000;
      if (!opts->rpo.empty()) {
        rpo_ns = engine::ParseDuration(opts->rpo);
      } else if (global.config && global.config->rpo_ns) {
        rpo_ns = *global.config->rpo_ns;
      }
      if (!rpo_ns) {
        return Fail(Code::kInvalidArgument, fmt::format("--rpo {}: not a duration (e.g. 24h, 2d, 1w)", opts->rpo));
      }
      monitor::GatherOptions gather;
      gather.rpo_s = static_cast<double>(*rpo_ns) / 1e9;
      if (global.config && opts->rpo.empty()) {
        for (const auto& [label, ns] : global.config->source_rpo_ns)
          gather.source_rpo_s[label] = static_cast<double>(ns) / 1e9;
      }

      // Opened once; every refresh reads what it needs again.
      MetricsByCloud metrics;
      ASSIGN_OR_RETURN(auto store, OpenRepositoryStore(global));
      ASSIGN_OR_RETURN(std::string password, ReadPassword(global, false));
      ASSIGN_OR_RETURN(auto repo, repo::Repository::Open(Metered(std::move(store), "repository", metrics), password));
      engine::StoreOpener open_cloud = CloudStoreOpener(global);
      ASSIGN_OR_RETURN(auto placement,
                       engine::AttachClouds(
                           *repo, [&](const placement::CloudSpec& cloud) -> Result<std::shared_ptr<storage::Store>> {
                             ASSIGN_OR_RETURN(auto cloud_store, open_cloud(cloud));
                             return Metered(std::move(cloud_store), cloud.name, metrics);
                           }));
      // The single store's requests are the repository's; a multi-cloud
      // repository counts them per cloud (its opening store is not used).
      if (placement) metrics.erase("repository");

      auto history = monitor::History::Open(monitor::DefaultHistoryPath(repo->config().id.Hex()));
      if (!history) std::cerr << "warning: no history (probes not recorded): " << history.error().message() << "\n";
      monitor::History* log = history ? history->get() : nullptr;

      serve::StatusBoard board(serve::ServeInfo{repo->store().Location(), interval_s, list_interval_s});
      serve::RefresherOptions refresh;
      refresh.interval_s = interval_s;
      refresh.list_interval_s = list_interval_s;
      gather.history = log;
      // Clouds going down or coming back, RPOs breached or met: told once
      // per change, as `status` tells them.
      monitor::Notifier notifier(NotifyCommand(global), repo->config().id.Hex(), repo::HostName(), log);
      serve::StatusRefresher refresher(
          board,
          [&](int64_t now_ns, bool list) -> Result<monitor::StatusInput> {
            monitor::GatherOptions options = gather;
            options.now_ns = now_ns;
            options.list = list;
            ASSIGN_OR_RETURN(monitor::StatusInput input, monitor::GatherStatus(*repo, options));
            monitor::NotifyChanges(notifier, input);
            return input;
          },
          log, refresh);

      serve::StatusServer server(board, [&metrics] {
        std::vector<storage::StoreMetricsSnapshot> snapshots;
        for (const auto& [name, m] : metrics) snapshots.push_back(m->Snapshot());
        return storage::PrometheusText(snapshots);
      });
      StopSignals signals;
      ASSIGN_OR_RETURN(int port, server.Bind(address));
      std::string url = fmt::format("http://{}/", serve::ListenAddress{address.host, port}.ToString());
      if (!global.quiet) {
        std::cout << fmt::format("serving {} on {} (metrics at {}metrics), refreshed every {}s",
                                 repo->store().Location(), url, url, interval_s)
                  << std::endl;
      }
      refresher.Start();
      std::thread stopper([&] {
        if (signals.Wait()) server.Stop();
      });
      Status served = server.Run();
      signals.Wake();
      stopper.join();
      refresher.Stop();
      RETURN_IF_ERROR(served);
      if (!global.quiet) std::cout << "stopped" << std::endl;
      return kExitOk;
    });
  });
}

}  // namespace arkiv::cli
