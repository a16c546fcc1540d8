#include "repo/snapshot.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "crypto/random.h"
#include "repo/repo_test_util.h"

namespace arkiv::repo {
namespace {

using arkiv::testing::FailedWith;
using nlohmann::json;

Snapshot Sample() {
  Snapshot s;
  s.time_ns = 1700000000123456789;
  s.host = "backup-host";
  s.user = "root";
  s.paths = {"/etc", "/home/ünïcødé"};
  s.tags = {"daily", "before-upgrade"};
  s.parent = crypto::RandomId();
  s.tree = crypto::RandomId();
  s.program_version = "arkiv 0.1.0";
  s.summary.files_new = 1;
  s.summary.files_changed = 2;
  s.summary.files_unchanged = 3;
  s.summary.dirs = 4;
  s.summary.files_failed = 5;
  s.summary.bytes_processed = 6;
  s.summary.bytes_total = uint64_t{7} << 40;
  s.summary.blobs_added = 8;
  s.summary.bytes_added = 9;
  s.summary.bytes_stored = 10;
  s.summary.duration_seconds = 12.5;
  return s;
}

void ExpectSame(const Snapshot& a, const Snapshot& b) {
  EXPECT_EQ(a.time_ns, b.time_ns);
  EXPECT_EQ(a.host, b.host);
  EXPECT_EQ(a.user, b.user);
  EXPECT_EQ(a.paths, b.paths);
  EXPECT_EQ(a.tags, b.tags);
  EXPECT_EQ(a.parent, b.parent);
  EXPECT_EQ(a.tree, b.tree);
  EXPECT_EQ(a.program_version, b.program_version);
  EXPECT_EQ(a.summary.files_new, b.summary.files_new);
  EXPECT_EQ(a.summary.files_changed, b.summary.files_changed);
  EXPECT_EQ(a.summary.files_unchanged, b.summary.files_unchanged);
  EXPECT_EQ(a.summary.dirs, b.summary.dirs);
  EXPECT_EQ(a.summary.files_failed, b.summary.files_failed);
  EXPECT_EQ(a.summary.bytes_processed, b.summary.bytes_processed);
  EXPECT_EQ(a.summary.bytes_total, b.summary.bytes_total);
  EXPECT_EQ(a.summary.blobs_added, b.summary.blobs_added);
  EXPECT_EQ(a.summary.bytes_added, b.summary.bytes_added);
  EXPECT_EQ(a.summary.bytes_stored, b.summary.bytes_stored);
  EXPECT_DOUBLE_EQ(a.summary.duration_seconds, b.summary.duration_seconds);
}

TEST(SnapshotTest, RoundTripKeepsEveryFieldAndNanoseconds) {
  Snapshot s = Sample();
  ASSERT_OK_AND_ASSIGN(Snapshot parsed, Snapshot::Parse(s.Serialize()));
  ExpectSame(parsed, s);
}

TEST(SnapshotTest, RoundTripWithoutParentOrTags) {
  Snapshot s = Sample();
  s.parent.reset();
  s.tags.clear();
  s.time_ns = 0;  // the epoch itself is a valid time
  ASSERT_OK_AND_ASSIGN(Snapshot parsed, Snapshot::Parse(s.Serialize()));
  ExpectSame(parsed, s);
  EXPECT_FALSE(parsed.parent.has_value());
}

TEST(SnapshotTest, HasTag) {
  Snapshot s = Sample();
  EXPECT_TRUE(s.HasTag("daily"));
  EXPECT_FALSE(s.HasTag("dail"));
  EXPECT_FALSE(s.HasTag(""));
}

TEST(SnapshotTest, ParseRejectsMalformedSnapshots) {
  json valid = json::parse(AsString(Sample().Serialize()));
  ASSERT_OK(Snapshot::Parse(ToBytes(valid.dump())));
  std::vector<std::pair<std::string, json>> cases = {
      {"time", json()},
      {"time", json(1700000000)},
      {"time", json("yesterday")},
      {"time", json("2024-01-01")},
      {"tree", json()},
      {"tree", json("abc")},
      {"tree", json(5)},
      {"parent", json("zz")},
      {"parent", json(1)},
      {"paths", json("/etc")},
      {"paths", json::array({1})},
      {"tags", json::object()},
      {"host", json(5)},
      {"user", json::array()},
      {"program_version", json(true)},
  };
  for (const auto& [field, value] : cases) {
    json j = valid;
    if (value.is_null()) {
      j.erase(field);
    } else {
      j[field] = value;
    }
    EXPECT_TRUE(FailedWith(Snapshot::Parse(ToBytes(j.dump())), Code::kDataLoss)) << field << " = " << value.dump();
  }
  for (std::string_view text : {"", "[]", "{", "null", "\"snapshot\""}) {
    EXPECT_TRUE(FailedWith(Snapshot::Parse(AsBytes(text)), Code::kDataLoss)) << text;
  }
}

TEST(SnapshotTest, MissingOptionalFieldsDefault) {
  json j{{"time", "2024-02-29T12:00:00Z"}, {"tree", std::string(64, '0')}};
  ASSERT_OK_AND_ASSIGN(Snapshot s, Snapshot::Parse(ToBytes(j.dump())));
  EXPECT_EQ(s.time_ns, int64_t{1709208000} * 1000000000);
  EXPECT_TRUE(s.paths.empty());
  EXPECT_TRUE(s.host.empty());
  EXPECT_EQ(s.summary.files_new, 0u);
}

}  // namespace
}  // namespace arkiv::repo
