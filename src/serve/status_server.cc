#include "serve/status_server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <sys/socket.h>

#include <chrono>

#include "repo/system_info.h"
#include "serve/status_page.h"

namespace arkiv::serve {
namespace {

// Scripts and styles inline only, requests to this server only, nothing from
// anywhere else: the page must work on a machine without internet access.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:";

constexpr size_t kServerThreads = 4;

void Common(httplib::Response& res) {
  res.set_header("Cache-Control", "no-store");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Content-Security-Policy", kContentSecurityPolicy);
}

}  // namespace

StatusServer::StatusServer(const StatusBoard& board, std::function<std::string()> extra_metrics)
    : board_(board), extra_metrics_(std::move(extra_metrics)), server_(std::make_unique<httplib::Server>()) {
  server_->new_task_queue = [] { return new httplib::ThreadPool(kServerThreads); };
  server_->set_read_timeout(10, 0);
  server_->set_write_timeout(10, 0);
  // httplib's default adds SO_REUSEPORT, with which a second server on the
  // same port would bind too and take half of the scrapes.
  server_->set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  Route();
}

StatusServer::~StatusServer() {
  Stop();
}

void StatusServer::Route() {
  server_->Get("/", [this](const httplib::Request&, httplib::Response& res) {
    auto view = board_.Latest();
    nlohmann::json initial{{"status", ApiStatusJson(*view, board_.info(), repo::NowUnixNanos())}, {"history", view->history}};
    Common(res);
    res.set_content(StatusPageHtml(initial), "text/html; charset=utf-8");
  });
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    std::string text = BoardMetricsText(*board_.Latest());
    if (extra_metrics_) text += extra_metrics_();
    Common(res);
    res.set_content(text, "text/plain; version=0.0.4; charset=utf-8");
  });
  server_->Get("/api/status", [this](const httplib::Request&, httplib::Response& res) {
    auto view = board_.Latest();
    Common(res);
    // Before the first refresh has finished there is nothing to say yet.
    res.status = view->attempted ? 200 : 503;
    res.set_content(JsonText(ApiStatusJson(*view, board_.info(), repo::NowUnixNanos())), "application/json");
  });
  server_->Get("/api/history", [this](const httplib::Request&, httplib::Response& res) {
    Common(res);
    res.set_content(JsonText(board_.Latest()->history), "application/json");
  });
  server_->Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    Common(res);
    res.set_content("ok\n", "text/plain; charset=utf-8");
  });
  // A body for httplib's own errors (404, 400); a handler's answer stays.
  server_->set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        Common(res);
        res.set_content(fmt::format("{} {}: {}\n", res.status, res.status == 404 ? "not found" : "error", req.path),
                        "text/plain; charset=utf-8");
        return httplib::Server::HandlerResponse::Handled;
      }));
  // A handler's exception becomes a 500, never the end of the server.
  server_->set_exception_handler([](const httplib::Request&, httplib::Response& res, const std::exception_ptr& ep) {
    std::string what = "unknown error";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    Common(res);
    res.status = 500;
    res.set_content("internal error: " + what + "\n", "text/plain; charset=utf-8");
  });
}

Result<int> StatusServer::Bind(const ListenAddress& address) {
  int port = address.port;
  bool bound = port == 0 ? (port = server_->bind_to_any_port(address.host)) > 0
                         : server_->bind_to_port(address.host, address.port);
  if (!bound) {
    return Fail(Code::kUnavailable, fmt::format("cannot listen on {}: the port is in use or the address is not "
                                                "one of this machine's",
                                                address.ToString()));
  }
  address_ = ListenAddress{address.host, port}.ToString();
  return port;
}

Status StatusServer::Run() {
  running_ = true;
  bool served = stop_requested_ || server_->listen_after_bind();
  {
    std::lock_guard lock(mu_);
    running_ = false;
  }
  done_.notify_all();
  if (!served && !stop_requested_) return Fail(Code::kUnavailable, fmt::format("serving on {} failed", address_));
  return OkStatus();
}

void StatusServer::Stop() {
  stop_requested_ = true;
  // httplib's stop() does nothing until listen has begun: repeat it until Run
  // has returned (or was never entered).
  std::unique_lock lock(mu_);
  while (running_) {
    server_->stop();
    done_.wait_for(lock, std::chrono::milliseconds(20));
  }
  lock.unlock();
  server_->stop();
}

}  // namespace arkiv::serve
