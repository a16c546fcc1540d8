#include "storage/wrappers/prometheus_text.h"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <vector>

namespace arkiv::storage {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool Has(const std::string& text, const std::string& line) {
  auto lines = Lines(text);
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

StoreMetricsSnapshot Sample() {
  StoreMetrics metrics("aws");
  metrics.Record(Operation::kPut, 3ms, Code::kOk, 1000);
  metrics.Record(Operation::kPut, 30ms, Code::kOk, 24);
  metrics.Record(Operation::kPut, 2s, Code::kUnavailable, 99);
  metrics.Record(Operation::kGet, 1500ms, Code::kOk, 0, 4096);
  metrics.Record(Operation::kStat, 20s, Code::kNotFound);
  metrics.Record(Operation::kStat, 1ms, Code::kInvalidArgument);
  return metrics.Snapshot();
}

TEST(PrometheusTextTest, OneStore) {
  std::vector<StoreMetricsSnapshot> stores{Sample()};
  std::string text = PrometheusText(stores);
  const char* expected[] = {
      "# TYPE arkiv_store_requests_total counter",
      R"(arkiv_store_requests_total{cloud="aws",op="put"} 3)",
      R"(arkiv_store_requests_total{cloud="aws",op="get"} 1)",
      R"(arkiv_store_requests_total{cloud="aws",op="stat"} 2)",
      R"(arkiv_store_requests_total{cloud="aws",op="list"} 0)",
      R"(arkiv_store_requests_total{cloud="aws",op="remove"} 0)",
      "# TYPE arkiv_store_errors_total counter",
      R"(arkiv_store_errors_total{cloud="aws",op="put",code="unavailable"} 1)",
      R"(arkiv_store_errors_total{cloud="aws",op="stat",code="invalid_argument"} 1)",
      R"(arkiv_store_errors_total{cloud="aws",op="stat",code="not_found"} 1)",
      R"(arkiv_store_uploaded_bytes_total{cloud="aws",op="put"} 1024)",
      R"(arkiv_store_downloaded_bytes_total{cloud="aws",op="get"} 4096)",
      "# TYPE arkiv_store_request_duration_seconds histogram",
      R"(arkiv_store_request_duration_seconds_bucket{cloud="aws",op="put",le="0.005"} 1)",
      R"(arkiv_store_request_duration_seconds_bucket{cloud="aws",op="put",le="0.01"} 1)",
      R"(arkiv_store_request_duration_seconds_bucket{cloud="aws",op="put",le="0.025"} 1)",
      R"(arkiv_store_request_duration_seconds_bucket{cloud="aws",op="put",le="0.05"} 2)",
      R"(arkiv_store_request_duration_seconds_bucket{cloud="aws",op="put",le="1"} 2)",
      R"(arkiv_store_request_duration_seconds_bucket{cloud="aws",op="put",le="2.5"} 3)",
      R"(arkiv_store_request_duration_seconds_bucket{cloud="aws",op="put",le="10"} 3)",
      R"(arkiv_store_request_duration_seconds_bucket{cloud="aws",op="put",le="+Inf"} 3)",
      R"(arkiv_store_request_duration_seconds_sum{cloud="aws",op="put"} 2.033)",
      R"(arkiv_store_request_duration_seconds_count{cloud="aws",op="put"} 3)",
      R"(arkiv_store_request_duration_seconds_bucket{cloud="aws",op="stat",le="10"} 1)",
      R"(arkiv_store_request_duration_seconds_bucket{cloud="aws",op="stat",le="+Inf"} 2)",
      R"(arkiv_store_request_duration_seconds_sum{cloud="aws",op="stat"} 20.001)",
      R"(arkiv_store_request_duration_seconds_sum{cloud="aws",op="list"} 0)",
  };
  for (const char* line : expected) EXPECT_TRUE(Has(text, line)) << "missing: " << line << "\n" << text;
  // Bytes only where they move; errors only for codes seen.
  EXPECT_EQ(text.find(R"(arkiv_store_uploaded_bytes_total{cloud="aws",op="get"})"), std::string::npos);
  EXPECT_EQ(text.find(R"(op="list",code=)"), std::string::npos);
  // 5 operations x (11 bounds + +Inf + sum + count) + 5 requests + 3 errors + 2 bytes, and 5 x (HELP, TYPE).
  EXPECT_EQ(Lines(text).size(), 5u * 14 + 5 + 3 + 2 + 10);
  EXPECT_TRUE(text.ends_with("\n"));
}

TEST(PrometheusTextTest, EveryLineFollowsTheExpositionFormat) {
  StoreMetrics other("azure \"west\"\\eu\nx");
  other.Record(Operation::kRemove, 7ms, Code::kOk);
  std::vector<StoreMetricsSnapshot> stores{Sample(), other.Snapshot()};
  std::string text = PrometheusText(stores);
  const std::regex comment(R"(# (HELP|TYPE) arkiv_store_[a-z_]+ .+)");
  const std::regex label(R"([a-z_]+="([^"\\\n]|\\["\\n])*")");
  const std::regex sample(
      R"(arkiv_store_[a-z_]+\{[a-z_]+="(?:[^"\\\n]|\\["\\n])*"(?:,[a-z_]+="(?:[^"\\\n]|\\["\\n])*")*\} [0-9.e+-]+)");
  std::set<std::string> types;
  std::string family;
  for (const auto& line : Lines(text)) {
    if (line.starts_with("#")) {
      EXPECT_TRUE(std::regex_match(line, comment)) << line;
      if (line.starts_with("# TYPE ")) {
        family = line.substr(7, line.find(' ', 7) - 7);
        EXPECT_TRUE(types.insert(family).second) << "family twice: " << family;  // all its samples together
      }
      continue;
    }
    EXPECT_TRUE(std::regex_match(line, sample)) << line;
    EXPECT_TRUE(line.starts_with(family)) << line << " outside its family " << family;
  }
  EXPECT_EQ(types.size(), 5u);
  EXPECT_TRUE(Has(text, R"(arkiv_store_requests_total{cloud="azure \"west\"\\eu\nx",op="remove"} 1)")) << text;
}

TEST(PrometheusTextTest, NoStoresGiveOnlyTheHeaders) {
  std::string text = PrometheusText({});
  EXPECT_EQ(Lines(text).size(), 10u);
}

TEST(PrometheusTextTest, LabelValuesAreEscaped) {
  EXPECT_EQ(PrometheusLabelValue("s3://bucket/prefix"), "s3://bucket/prefix");
  EXPECT_EQ(PrometheusLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

}  // namespace
}  // namespace arkiv::storage
