// arkiv serve: listen addresses, intervals, the latency series, the board
// and what it renders, the refresh loop (listings carried over, failures
// survived), the page, and the HTTP server on a loopback port.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <stdexcept>
#include <thread>

#include "engine/engine_test_util.h"
#include "serve/interval.h"
#include "serve/listen_address.h"
#include "serve/probe_history.h"
#include "serve/status_board.h"
#include "serve/status_page.h"
#include "serve/status_refresher.h"
#include "serve/status_server.h"

namespace arkiv::serve {
namespace {

using namespace arkiv::testing;
using monitor::CloudState;
using monitor::HistoryEvent;
using monitor::StatusInput;

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kHour = 3600 * kSecond;
constexpr int64_t kNow = 1'800'000'000 * kSecond;

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

TEST(ListenAddressTest, ParsesHostAndPort) {
  ASSERT_OK_AND_ASSIGN(auto a, ParseListenAddress("127.0.0.1:9464"));
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, 9464);
  EXPECT_EQ(a.ToString(), "127.0.0.1:9464");
  ASSERT_OK_AND_ASSIGN(auto v6, ParseListenAddress("[::1]:0"));
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 0);
  EXPECT_EQ(v6.ToString(), "[::1]:0");
  ASSERT_OK_AND_ASSIGN(auto any, ParseListenAddress("0.0.0.0:80"));
  EXPECT_EQ(any.host, "0.0.0.0");
  ASSERT_OK_AND_ASSIGN(auto def, ParseListenAddress(kDefaultListen));
  EXPECT_EQ(def.port, 9464);
}

TEST(ListenAddressTest, RejectsWhatIsNotHostAndPort) {
  for (std::string_view bad :
       {"9464", "", ":9464", "host:", "host:70000", "host:-1", "host:12x", "::1:80", "[::1]80", "[::1:80", "[]:80"}) {
    auto a = ParseListenAddress(bad);
    ASSERT_FALSE(a) << bad;
    EXPECT_EQ(a.error().code(), Code::kInvalidArgument);
    EXPECT_TRUE(Contains(a.error().message(), fmt::format("--listen {}:", bad))) << a.error().message();
  }
}

TEST(IntervalTest, SecondsOrOneUnit) {
  EXPECT_EQ(ParseInterval("--interval", "60", 0.1).value(), 60);
  EXPECT_EQ(ParseInterval("--interval", "0.5", 0.1).value(), 0.5);
  EXPECT_EQ(ParseInterval("--interval", "30s", 0.1).value(), 30);
  EXPECT_EQ(ParseInterval("--interval", "5m", 0.1).value(), 300);
  EXPECT_EQ(ParseInterval("--interval", "2h", 0.1).value(), 7200);
  EXPECT_EQ(ParseInterval("--interval", "1d", 0.1).value(), 86400);
  EXPECT_EQ(ParseInterval("--list-interval", "0", 0).value(), 0);
  for (std::string_view bad : {"", "m", "5x", "-1", "0", "0.01", "1e999", "nan", "5 m"}) {
    auto r = ParseInterval("--interval", bad, 0.1);
    ASSERT_FALSE(r) << bad;
    EXPECT_TRUE(Contains(r.error().message(), fmt::format("--interval {}: not an interval", bad)));
  }
}

HistoryEvent Probe(int64_t time_ns, double seconds, bool ok = true) {
  return {time_ns, "probe", "aws", ok, seconds, 0, ""};
}

TEST(LatencySeriesTest, OnePointPerRefreshWithTheMedianAndDownWhenAProbeFailed) {
  std::vector<HistoryEvent> probes = {
      Probe(10 * kSecond, 0.003),    Probe(10 * kSecond, 0.001),    Probe(10 * kSecond, 0.002),  // median 2 ms
      Probe(20 * kSecond, 0.005),    Probe(20 * kSecond, 0, false),  // one answered, then failed
      Probe(30 * kSecond, 0, false),                                 // none answered
      Probe(99 * kSecond, 0.001),                                    // outside the window
  };
  auto series = LatencySeries(probes, 0, 50 * kSecond, 100);
  ASSERT_EQ(series.size(), 3u);
  EXPECT_EQ(series[0], (LatencyPoint{10 * kSecond, 2.0, true}));
  EXPECT_EQ(series[1], (LatencyPoint{20 * kSecond, 5.0, false}));
  EXPECT_EQ(series[2], (LatencyPoint{30 * kSecond, std::nullopt, false}));
}

TEST(LatencySeriesTest, MergesNeighboursIntoAtMostMaxPointsAndKeepsAnOutage) {
  std::vector<HistoryEvent> probes;
  for (int i = 0; i < 1000; ++i) probes.push_back(Probe(i * kSecond, i == 500 ? 0 : 0.010, i != 500));
  auto series = LatencySeries(probes, 0, 999 * kSecond, 50);
  ASSERT_LE(series.size(), 50u);
  ASSERT_GE(series.size(), 45u);
  int down = 0;
  for (const auto& p : series) {
    down += !p.up;
    ASSERT_TRUE(p.ms);
    EXPECT_NEAR(*p.ms, 10.0, 1e-9);  // the failed probe is not a latency of 0
  }
  EXPECT_EQ(down, 1);
  EXPECT_EQ(series.back().time_ns, 999 * kSecond);
  EXPECT_TRUE(LatencySeries({}, 0, kSecond, 10).empty());
}

TEST(ProbeHistoryTest, JsonPerCloudFromTheHistoryDatabase) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto history, monitor::History::Open(dir / "history.sqlite"));
  ASSERT_OK(history->Record({kNow - 2 * kHour, "probe", "aws", true, 0.004, 0, ""}));
  ASSERT_OK(history->Record({kNow - kHour, "probe", "aws", false, 0.1, 0, ""}));
  ASSERT_OK(history->Record({kNow - 30 * kHour, "probe", "aws", true, 0.004, 0, ""}));  // too old
  ASSERT_OK(history->Record({kNow - kHour, "probe", "azure", true, 0.020, 0, ""}));
  ASSERT_OK_AND_ASSIGN(auto j, ProbeHistoryJson(*history, {"aws", "azure", "gcs"}, kNow - 24 * kHour, kNow, 100));
  EXPECT_EQ(j["until_ms"], kNow / 1000000);
  ASSERT_EQ(j["clouds"].size(), 3u);
  EXPECT_EQ(j["clouds"][0]["name"], "aws");
  EXPECT_EQ(j["clouds"][0]["points"].dump(),
            fmt::format("[[{},4.0,1],[{},null,0]]", (kNow - 2 * kHour) / 1000000, (kNow - kHour) / 1000000));
  EXPECT_EQ(j["clouds"][1]["points"][0][1], 20.0);
  EXPECT_TRUE(j["clouds"][2]["points"].empty());
}

StatusInput TwoClouds() {
  StatusInput in;
  in.now_ns = kNow;
  in.policy = "replicate";
  in.clouds_needed = 1;
  in.write_quorum = 1;
  for (auto [name, ms] : {std::pair{"aws", 3.0}, std::pair{"azure", 7.0}}) {
    CloudState c;
    c.name = name;
    c.up = true;
    c.p50_ms = ms;
    c.p95_ms = ms + 2;
    in.clouds.push_back(c);
  }
  monitor::SourceState s;
  s.host = "h1";
  s.paths = {"/srv"};
  s.latest_ns = kNow - kHour;
  s.snapshots = 2;
  s.sizes = {100, 200};
  s.times_ns = {kNow - 2 * kHour, kNow - kHour};
  in.sources.push_back(s);
  in.jobs.push_back({"check", "h1", kNow - kHour, true, 2, std::nullopt});
  in.jobs.push_back({"drill", "h1", kNow - kHour, true, 3, std::nullopt});
  return in;
}

TEST(StatusBoardTest, BeforeTheFirstRefreshNothingIsClaimed) {
  StatusBoard board({"clouds [aws,azure] (replicate)", 60, 900});
  auto view = board.Latest();
  EXPECT_FALSE(view->attempted);
  std::string text = BoardMetricsText(*view);
  EXPECT_FALSE(Contains(text, "arkiv_status ")) << text;
  EXPECT_TRUE(Contains(text, "arkiv_serve_refreshes_total 0\n"));
  EXPECT_FALSE(Contains(text, "arkiv_serve_last_refresh_success"));
  nlohmann::json j = ApiStatusJson(*view, board.info(), kNow);
  EXPECT_EQ(j["verdict"], "UNKNOWN");
  EXPECT_EQ(j["findings"][0]["message"], "gathering the first status");
  EXPECT_EQ(j["serve"]["repository"], "clouds [aws,azure] (replicate)");
  EXPECT_EQ(j["serve"]["now_ms"], kNow / 1000000);
}

TEST(StatusBoardTest, GatheredFactsThenAFailureKeepsTheFactsButNotTheirMetrics) {
  StatusBoard board({"repo", 60, 900});
  StatusInput in = TwoClouds();
  monitor::StatusReport report = monitor::Evaluate(in);
  board.PublishGathered(in, report, nlohmann::json{{"clouds", nlohmann::json::array()}}, kNow, 0.25);
  auto ok = board.Latest();
  std::string text = BoardMetricsText(*ok);
  EXPECT_TRUE(Contains(text, "arkiv_status 0\n")) << text;
  EXPECT_TRUE(Contains(text, "arkiv_cloud_up{cloud=\"aws\"} 1\n"));
  EXPECT_TRUE(Contains(text, "arkiv_serve_last_refresh_success 1\n"));
  EXPECT_TRUE(Contains(text, "arkiv_serve_last_refresh_duration_seconds 0.25\n"));
  nlohmann::json j = ApiStatusJson(*ok, board.info(), kNow + kSecond);
  EXPECT_EQ(j["verdict"], "OK");
  EXPECT_EQ(j["sources"][0]["times_ns"].size(), 2u);
  EXPECT_EQ(j["serve"]["gathered_ms"], kNow / 1000000);
  EXPECT_EQ(j["serve"]["refresh_ok"], true);

  board.PublishFailure("reading snapshots/: cloud aws: connection refused", kNow + 60 * kSecond, 1.5);
  auto failed = board.Latest();
  text = BoardMetricsText(*failed);
  EXPECT_TRUE(Contains(text, "arkiv_status 2\n")) << text;
  EXPECT_FALSE(Contains(text, "arkiv_cloud_up")) << "no stale facts in the metrics";
  EXPECT_TRUE(Contains(text, "arkiv_serve_last_refresh_success 0\n"));
  EXPECT_TRUE(Contains(text, "arkiv_serve_refreshes_total 2\n"));
  EXPECT_TRUE(Contains(text, "arkiv_serve_refresh_failures_total 1\n"));
  j = ApiStatusJson(*failed, board.info(), kNow + 61 * kSecond);
  EXPECT_EQ(j["verdict"], "CRITICAL");
  EXPECT_EQ(j["findings"][0]["message"],
            "the status could not be gathered: reading snapshots/: cloud aws: connection refused");
  EXPECT_EQ(j["clouds"].size(), 2u) << "the page keeps the last facts";
  EXPECT_EQ(j["serve"]["gathered_ms"], kNow / 1000000);
  EXPECT_EQ(j["serve"]["refreshed_ms"], (kNow + 60 * kSecond) / 1000000);
  EXPECT_EQ(j["serve"]["refresh_ok"], false);
  // The view published before is unchanged: handlers may still hold it.
  EXPECT_TRUE(ok->error.empty());
}

// A gather function that plays back scripted outcomes and remembers what it was asked.
struct ScriptedGather {
  std::vector<std::function<Result<StatusInput>()>> steps;
  std::vector<bool> listed;
  size_t next = 0;
  GatherFunction Function() {
    return [this](int64_t, bool list) {
      listed.push_back(list);
      return steps.at(next++)();
    };
  }
};

TEST(StatusRefresherTest, ListsOnlyEveryListIntervalAndCarriesTheListingOver) {
  StatusBoard board({"repo", 60, 900});
  ScriptedGather script;
  StatusInput listed = TwoClouds();
  listed.clouds[0].listed = listed.clouds[1].listed = true;
  listed.clouds[0].bytes = 1000;
  listed.clouds[0].objects = 10;
  listed.clouds[1].bytes = 2000;
  listed.clouds[1].objects = 20;
  listed.clouds[1].debt = 4;
  listed.debt_objects = 4;
  StatusInput unlisted = TwoClouds();  // probes only: no bytes, no debt
  unlisted.clouds[1].up = false;
  unlisted.clouds[1].error = "connection refused";
  StatusInput relisted = unlisted;  // a listing with azure down: azure keeps its last one
  relisted.clouds[0].listed = true;
  relisted.clouds[0].bytes = 1500;
  relisted.clouds[0].objects = 15;
  script.steps = {[&] { return Result<StatusInput>(listed); }, [&] { return Result<StatusInput>(unlisted); },
                  [&] { return Result<StatusInput>(relisted); }};
  RefresherOptions options;
  options.list_interval_s = 600;
  StatusRefresher refresher(board, script.Function(), nullptr, options);
  refresher.RefreshOnce(kNow);
  refresher.RefreshOnce(kNow + 60 * kSecond);
  auto view = board.Latest();
  ASSERT_TRUE(view->error.empty());
  EXPECT_EQ(view->input.clouds[1].bytes, 2000u);
  EXPECT_TRUE(view->input.clouds[1].listed);
  EXPECT_EQ(view->input.clouds[1].debt, 4u);
  EXPECT_EQ(view->input.debt_objects, 4u) << "the debt is that of the last listing, not 0";
  EXPECT_FALSE(view->input.clouds[1].up) << "the probe is fresh";
  bool debt_found = false;
  for (const auto& f : view->report.findings) debt_found |= Contains(f.message, "4 placements missed");
  EXPECT_TRUE(debt_found) << "the verdict is judged on the carried debt";
  refresher.RefreshOnce(kNow + 601 * kSecond);
  EXPECT_EQ(script.listed, (std::vector<bool>{true, false, true}));
  view = board.Latest();
  EXPECT_EQ(view->input.clouds[0].bytes, 1500u);
  EXPECT_EQ(view->input.clouds[1].bytes, 2000u);
  EXPECT_EQ(view->input.clouds[1].debt, 0u) << "the new listing found no debt";
  EXPECT_EQ(view->input.debt_objects, 0u);
}

TEST(StatusRefresherTest, AFailedOrThrowingGatherIsPublishedAndTheNextOneRecovers) {
  StatusBoard board({"repo", 60, 900});
  ScriptedGather script;
  script.steps = {
      [] { return Result<StatusInput>(Fail(Code::kUnavailable, "cloud aws: connection refused")); },
      []() -> Result<StatusInput> { throw std::runtime_error("malformed JSON"); },
      [] { return Result<StatusInput>(TwoClouds()); },
  };
  StatusRefresher refresher(board, script.Function(), nullptr, RefresherOptions{});
  refresher.RefreshOnce(kNow);
  EXPECT_EQ(board.Latest()->error, "cloud aws: connection refused");
  EXPECT_EQ(script.listed, (std::vector<bool>{true}));
  refresher.RefreshOnce(kNow + kSecond);
  EXPECT_EQ(board.Latest()->error, "unexpected error: malformed JSON");
  EXPECT_EQ(board.Latest()->report.verdict, monitor::Verdict::kCritical);
  refresher.RefreshOnce(kNow + 2 * kSecond);
  auto view = board.Latest();
  EXPECT_TRUE(view->error.empty());
  EXPECT_EQ(view->refreshes, 3u);
  EXPECT_EQ(view->failures, 2u);
  EXPECT_EQ(script.listed, (std::vector<bool>{true, true, true})) << "no listing succeeded yet";
}

TEST(StatusRefresherTest, RecordsHistoryForTheChartsAndRunsUntilStopped) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto history, monitor::History::Open(dir / "history.sqlite"));
  StatusBoard board({"repo", 0.01, 0});
  std::atomic<int> calls = 0;
  monitor::History* log = history.get();
  GatherFunction gather = [&](int64_t now_ns, bool) -> Result<StatusInput> {
    calls++;
    RETURN_IF_ERROR(log->Record({now_ns, "probe", "aws", true, 0.002, 0, ""}));
    StatusInput in = TwoClouds();
    in.now_ns = now_ns;
    return in;
  };
  RefresherOptions options;
  options.interval_s = 0.01;
  StatusRefresher refresher(board, gather, log, options);
  refresher.Start();
  for (int i = 0; i < 2000 && board.Latest()->refreshes < 3; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  refresher.Stop();
  int after_stop = calls;
  ASSERT_GE(after_stop, 3);
  auto view = board.Latest();
  EXPECT_EQ(view->history["clouds"][0]["name"], "aws");
  EXPECT_GE(view->history["clouds"][0]["points"].size(), 2u);
  EXPECT_EQ(view->history["clouds"][1]["name"], "azure");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(calls, after_stop) << "no refresh after Stop";
}

TEST(StatusPageTest, SelfContainedWithTheDataInPlace) {
  std::string_view page = StatusPageTemplate();
  EXPECT_TRUE(page.starts_with("<!doctype html>"));
  EXPECT_FALSE(Contains(page, "://")) << "no external URL, not even a namespace";
  EXPECT_FALSE(Contains(page, "src=")) << "no external script or image";
  EXPECT_TRUE(Contains(page, "/*ARKIV_INITIAL_DATA*/null"));
  nlohmann::json data{{"status", {{"verdict", "OK"}, {"note", "</script><script>alert(1)</script> & more"}}}};
  std::string html = StatusPageHtml(data);
  EXPECT_FALSE(Contains(html, "/*ARKIV_INITIAL_DATA*/"));
  EXPECT_TRUE(Contains(html, R"("verdict":"OK")"));
  EXPECT_TRUE(Contains(html, R"(\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e \u0026 more)"));
  EXPECT_EQ(html.find("</script>"), html.rfind("</script>")) << "only the page's own script ends";
  // The escapes are JSON: the data reads back the same.
  size_t at = html.find("const INITIAL = ") + 16;
  EXPECT_EQ(nlohmann::json::parse(html.substr(at, html.find(";\n", at) - at)), data);
}

TEST(StatusPageTest, InvalidUtf8IsReplacedNotThrown) {
  nlohmann::json j{{"error", std::string("file \xff\xfe gone")}};
  EXPECT_TRUE(Contains(JsonText(j), "file \xEF\xBF\xBD\xEF\xBF\xBD gone"));
}

class StatusServerTest : public ::testing::Test {
 protected:
  void Start() {
    ASSERT_OK_AND_ASSIGN(port_, server_.Bind({"127.0.0.1", 0}));
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { served_ = server_.Run(); });
  }
  void TearDown() override {
    server_.Stop();
    if (thread_.joinable()) thread_.join();
  }
  httplib::Result Get(const std::string& path) {
    httplib::Client client("127.0.0.1", port_);
    client.set_connection_timeout(10);
    client.set_read_timeout(10);
    return client.Get(path);
  }

  StatusBoard board_{ServeInfo{"repo at /srv", 60, 900}};
  StatusServer server_{board_, [] { return std::string("arkiv_store_requests_total{cloud=\"aws\",op=\"get\"} 3\n"); }};
  int port_ = 0;
  std::thread thread_;
  Status served_;
};

TEST_F(StatusServerTest, ServesEveryRouteReadOnlyFromTheBoard) {
  Start();
  auto health = Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, "ok\n");
  auto early = Get("/api/status");
  ASSERT_TRUE(early);
  EXPECT_EQ(early->status, 503) << "nothing gathered yet";
  EXPECT_EQ(nlohmann::json::parse(early->body)["verdict"], "UNKNOWN");

  board_.PublishGathered(TwoClouds(), monitor::Evaluate(TwoClouds()), nlohmann::json{{"since_ms", 1}}, kNow, 0.1);
  auto metrics = Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_TRUE(Contains(metrics->body, "arkiv_cloud_up{cloud=\"azure\"} 1\n"));
  EXPECT_TRUE(metrics->body.ends_with("arkiv_store_requests_total{cloud=\"aws\",op=\"get\"} 3\n"));
  auto status = Get("/api/status");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, 200);
  EXPECT_EQ(status->get_header_value("Content-Type"), "application/json");
  auto j = nlohmann::json::parse(status->body);
  EXPECT_EQ(j["verdict"], "OK");
  EXPECT_EQ(j["serve"]["repository"], "repo at /srv");
  auto history = Get("/api/history");
  ASSERT_TRUE(history);
  EXPECT_EQ(history->body, R"({"since_ms":1})");
  auto page = Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_TRUE(Contains(page->get_header_value("Content-Security-Policy"), "default-src 'none'"));
  EXPECT_TRUE(Contains(page->body, R"("repository":"repo at /srv")"));
  auto missing = Get("/nothing");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->body, "404 not found: /nothing\n");
}

TEST_F(StatusServerTest, StopEndsRunEvenBeforeItBegan) {
  ASSERT_OK_AND_ASSIGN(port_, server_.Bind({"127.0.0.1", 0}));
  server_.Stop();
  thread_ = std::thread([this] { served_ = server_.Run(); });
  thread_.join();
  EXPECT_TRUE(served_);
}

TEST_F(StatusServerTest, StopEndsARunningServer) {
  Start();
  ASSERT_TRUE(Get("/healthz"));
  server_.Stop();
  thread_.join();
  EXPECT_TRUE(served_);
  EXPECT_FALSE(Get("/healthz")) << "nothing listens any more";
}

TEST_F(StatusServerTest, APortInUseIsNamed) {
  Start();
  StatusServer other(board_, nullptr);
  auto bound = other.Bind({"127.0.0.1", port_});
  ASSERT_FALSE(bound);
  EXPECT_EQ(bound.error().code(), Code::kUnavailable);
  EXPECT_TRUE(Contains(bound.error().message(), fmt::format("cannot listen on 127.0.0.1:{}", port_)));
}

}  // namespace
}  // namespace arkiv::serve
