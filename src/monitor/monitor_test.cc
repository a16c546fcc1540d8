// History, job summaries, the health verdict and its metrics.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "engine/engine_test_util.h"
#include "monitor/health.h"
#include "monitor/history.h"
#include "monitor/job_summary.h"
#include "monitor/status_metrics.h"
#include "storage/backends/memory_store.h"

namespace arkiv::monitor {
namespace {

using namespace arkiv::testing;

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kHour = 3600 * kSecond;

TEST(HistoryTest, RecordsAndQueriesNewestFirst) {
  TempDir dir;
  std::string path = dir / "a/b/history.sqlite";
  ASSERT_OK_AND_ASSIGN(auto history, History::Open(path));
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK(history->Record({i * kSecond, "probe", i % 2 ? "aws" : "azure", i != 3, 0.01 * i, 0, ""}));
  }
  ASSERT_OK(history->Record({10 * kSecond, "check", "", false, 12.5, 100, R"({"errors":2})"}));
  ASSERT_OK_AND_ASSIGN(auto aws, history->Recent("probe", "aws", 0, 10));
  ASSERT_EQ(aws.size(), 2u);
  EXPECT_EQ(aws[0].time_ns, 3 * kSecond);
  EXPECT_FALSE(aws[0].ok);
  EXPECT_EQ(aws[1].time_ns, 1 * kSecond);
  ASSERT_OK_AND_ASSIGN(auto recent, history->Recent("probe", "", 2 * kSecond, 2));
  ASSERT_EQ(recent.size(), 2u);
  EXPECT_EQ(recent[0].time_ns, 4 * kSecond);
  ASSERT_OK_AND_ASSIGN(auto check, history->Latest("check"));
  ASSERT_TRUE(check);
  EXPECT_DOUBLE_EQ(check->seconds, 12.5);
  EXPECT_EQ(check->detail, R"({"errors":2})");
  ASSERT_OK_AND_ASSIGN(auto none, history->Latest("drill"));
  EXPECT_FALSE(none);
  ASSERT_OK(history->ForgetProbesBefore(3 * kSecond));
  ASSERT_OK_AND_ASSIGN(auto left, history->Recent("probe", "", 0, 10));
  EXPECT_EQ(left.size(), 2u);
  history.reset();
  // A second process (here: a second open) sees the same events.
  ASSERT_OK_AND_ASSIGN(auto again, History::Open(path));
  ASSERT_OK_AND_ASSIGN(auto still, again->Latest("check"));
  EXPECT_TRUE(still);
}

TEST(HistoryTest, RefusesANewerSchema) {
  TempDir dir;
  std::string path = dir / "history.sqlite";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version=99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto history = History::Open(path);
  ASSERT_FALSE(history);
  EXPECT_EQ(history.error().code(), Code::kFailedPrecondition);
  EXPECT_NE(history.error().message().find("newer"), std::string::npos);
}

TEST(HistoryTest, DefaultPathFollowsTheEnvironment) {
  ::setenv("ARKIV_CACHE_DIR", "/x/cache", 1);
  EXPECT_EQ(DefaultHistoryPath("abc"), "/x/cache/abc/history.sqlite");
  ::unsetenv("ARKIV_CACHE_DIR");
  ::setenv("XDG_CACHE_HOME", "/y", 1);
  EXPECT_EQ(DefaultHistoryPath("abc"), "/y/arkiv/abc/history.sqlite");
  ::unsetenv("XDG_CACHE_HOME");
}

TEST(JobSummaryTest, NewestPerHostAndKindAndOlderOnesRemoved) {
  auto store = std::make_shared<storage::MemoryStore>();
  auto repo = InitRepository(store);
  ASSERT_TRUE(repo);
  ASSERT_OK(PublishJobSummary(*repo, {"check", "h1", 1 * kHour, true, 3, R"({"errors":0})"}));
  ASSERT_OK(PublishJobSummary(*repo, {"check", "h1", 2 * kHour, false, 4, R"({"errors":1})"}));
  ASSERT_OK(PublishJobSummary(*repo, {"check", "h2", 1 * kHour, true, 5, ""}));
  ASSERT_OK(PublishJobSummary(*repo, {"drill", "h1", 3 * kHour, true, 60, R"({"seconds":60})"}));
  ASSERT_OK_AND_ASSIGN(auto ids, repo->ListFiles(repo::FileKind::kStatus));
  EXPECT_EQ(ids.size(), 3u) << "h1's older check is gone";
  ASSERT_OK_AND_ASSIGN(auto all, LoadJobSummaries(*repo));
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].kind, "drill");
  EXPECT_EQ(all[1].host, "h1");
  EXPECT_FALSE(all[1].ok);
  EXPECT_EQ(all[1].detail, R"({"errors":1})");
  for (std::string bad : {"", "{}", R"({"version":2})", R"({"version":1,"kind":"check"})"}) {
    EXPECT_FALSE(JobSummary::Parse(AsBytes(bad))) << bad;
  }
}

StatusInput Healthy() {
  StatusInput in;
  in.now_ns = 1000 * kHour;
  in.policy = "ec:2+1";
  in.clouds_needed = 2;
  in.write_quorum = 2;
  for (const char* name : {"aws", "azure", "nas"}) in.clouds.push_back({name, true, 10, 20, "", true, 5, 1000, 0, 0});
  in.sources.push_back({"h1", {"/srv"}, 999 * kHour, 10, {100, 200}, 30, 24 * 3600.0, {}});
  in.jobs.push_back({"check", "h1", 990 * kHour, true, 5, std::nullopt});
  in.jobs.push_back({"drill", "h1", 900 * kHour, true, 50, DrillDetail{{"aws", "nas"}, 12, 12, 4096, 0.25, 7.5}});
  return in;
}

bool Mentions(const StatusReport& r, Verdict level, std::string_view text) {
  for (const auto& f : r.findings) {
    if (f.level == level && f.message.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(HealthTest, VerdictFollowsTheWorstFinding) {
  StatusInput in = Healthy();
  EXPECT_EQ(Evaluate(in).verdict, Verdict::kOk);

  StatusInput one_down = Healthy();
  one_down.clouds[1].up = false;
  one_down.clouds[1].error = "connection refused";
  auto r = Evaluate(one_down);
  EXPECT_EQ(r.verdict, Verdict::kWarning);
  EXPECT_TRUE(Mentions(r, Verdict::kWarning, "cloud azure does not answer: connection refused"));
  EXPECT_TRUE(Mentions(r, Verdict::kWarning, "one more cloud lost"));

  StatusInput two_down = one_down;
  two_down.clouds[2].up = false;
  r = Evaluate(two_down);
  EXPECT_EQ(r.verdict, Verdict::kCritical);
  EXPECT_TRUE(Mentions(r, Verdict::kCritical, "restore impossible now: 1 of 3 clouds answer, 2 needed"));
  EXPECT_EQ(r.findings.front().level, Verdict::kCritical) << "worst first";

  StatusInput stale = Healthy();
  stale.sources[0].latest_ns = 970 * kHour;  // 30 h > 24 h
  r = Evaluate(stale);
  EXPECT_EQ(r.verdict, Verdict::kCritical);
  EXPECT_TRUE(Mentions(r, Verdict::kCritical, "h1:/srv: newest snapshot is 1d 6h old, beyond the RPO of 1d 0h"));
  stale.sources[0].latest_ns = 980 * kHour;  // 20 h: close
  EXPECT_EQ(Evaluate(stale).verdict, Verdict::kWarning);

  StatusInput debt = Healthy();
  debt.debt_objects = 4;
  EXPECT_TRUE(Mentions(Evaluate(debt), Verdict::kWarning, "4 placements missed"));

  StatusInput failed_check = Healthy();
  failed_check.jobs[0].ok = false;
  EXPECT_EQ(Evaluate(failed_check).verdict, Verdict::kCritical);
  StatusInput old_check = Healthy();
  old_check.jobs[0].time_ns = 800 * kHour;
  EXPECT_TRUE(Mentions(Evaluate(old_check), Verdict::kWarning, "last check was 8d 8h ago"));
  StatusInput no_drill = Healthy();
  no_drill.jobs.pop_back();
  EXPECT_TRUE(Mentions(Evaluate(no_drill), Verdict::kWarning, "no DR drill yet"));
  StatusInput failed_drill = Healthy();
  failed_drill.jobs[1].ok = false;
  EXPECT_EQ(Evaluate(failed_drill).verdict, Verdict::kCritical);

  StatusInput empty = Healthy();
  empty.sources.clear();
  EXPECT_TRUE(Mentions(Evaluate(empty), Verdict::kWarning, "no snapshots yet"));
}

TEST(HealthTest, MetricsCarryTheFactsAndTheVerdict) {
  StatusInput in = Healthy();
  in.clouds[1].up = false;
  in.sources[0].host = "we\"ird";
  std::string text = StatusMetricsText(in, Evaluate(in));
  EXPECT_NE(text.find("# TYPE arkiv_status gauge\narkiv_status 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("arkiv_cloud_up{cloud=\"azure\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("arkiv_cloud_up{cloud=\"aws\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("arkiv_cloud_probe_latency_seconds{cloud=\"aws\",quantile=\"0.95\"} 0.02\n"), std::string::npos);
  EXPECT_NE(text.find("arkiv_backup_age_seconds{host=\"we\\\"ird\",source=\"we\\\"ird:/srv\"} 3600\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("arkiv_rpo_seconds{"), std::string::npos);
  EXPECT_NE(text.find("arkiv_last_job_success{job=\"check\",host=\"h1\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("arkiv_last_drill_info{host=\"h1\",without=\"aws,nas\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("arkiv_last_drill_files_verified{host=\"h1\"} 12\n"), std::string::npos);
  EXPECT_NE(text.find("arkiv_last_drill_restored_bytes{host=\"h1\"} 4096\n"), std::string::npos);
  EXPECT_NE(text.find("arkiv_last_drill_estimate_seconds{host=\"h1\"} 7.5\n"), std::string::npos);
  // Every sample line belongs to a family announced before it.
  std::string family;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.starts_with("# TYPE ")) {
      family = line.substr(7, line.find(' ', 7) - 7);
    } else if (!line.starts_with("#")) {
      EXPECT_TRUE(line.starts_with(family)) << line;
    }
  }
}

}  // namespace
}  // namespace arkiv::monitor
