#include "engine/forget_policy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <random>
#include <set>

#include "crypto/sha256.h"

namespace arkiv::engine {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kHour = 3600 * kSecond;
constexpr int64_t kDay = 24 * kHour;

// Calendar time in UTC as Unix nanoseconds.
int64_t Utc(int year, int month, int day, int hour = 0, int minute = 0) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  return int64_t(::timegm(&tm)) * kSecond;
}

repo::SnapshotRecord Snap(int64_t time_ns, std::vector<std::string> tags = {}) {
  repo::SnapshotRecord r;
  r.id = crypto::Sha256(AsBytes(std::to_string(time_ns)));
  r.snapshot.time_ns = time_ns;
  r.snapshot.tags = std::move(tags);
  return r;
}

std::set<int64_t> Times(const std::vector<repo::SnapshotRecord>& records) {
  std::set<int64_t> times;
  for (const auto& r : records) times.insert(r.snapshot.time_ns);
  return times;
}

// Calendar buckets use the local time zone: pin it for the test.
class ForgetPolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* tz = std::getenv("TZ")) saved_tz_ = tz;
    SetTimeZone("UTC");
  }
  void TearDown() override {
    if (saved_tz_) {
      ::setenv("TZ", saved_tz_->c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
    ::tzset();
  }
  static void SetTimeZone(const char* tz) {
    ::setenv("TZ", tz, 1);
    ::tzset();
  }

  // Checks that keep and remove partition the input and returns the kept times.
  static std::set<int64_t> Kept(const std::vector<repo::SnapshotRecord>& input, const RetentionPolicy& policy) {
    ForgetPlan plan = PlanRetention(input, policy);
    EXPECT_EQ(plan.keep.size() + plan.remove.size(), input.size());
    std::set<int64_t> kept = Times(plan.keep), removed = Times(plan.remove);
    for (int64_t t : kept) EXPECT_FALSE(removed.contains(t));
    EXPECT_EQ(plan.reasons.size(), plan.keep.size());
    // Newest first, like `arkiv forget` prints them.
    for (size_t i = 1; i < plan.keep.size(); ++i)
      EXPECT_GT(plan.keep[i - 1].snapshot.time_ns, plan.keep[i].snapshot.time_ns);
    return kept;
  }

  std::optional<std::string> saved_tz_;
};

TEST_F(ForgetPolicyTest, EmptyPolicyKeepsEverything) {
  std::vector<repo::SnapshotRecord> input;
  for (int i = 0; i < 5; ++i) input.push_back(Snap(Utc(2024, 1, 1) + i * kHour));
  RetentionPolicy policy;
  EXPECT_TRUE(policy.Empty());
  ForgetPlan plan = PlanRetention(input, policy);
  EXPECT_EQ(plan.keep.size(), 5u);
  EXPECT_TRUE(plan.remove.empty());
}

TEST_F(ForgetPolicyTest, KeepLast) {
  std::vector<repo::SnapshotRecord> input;
  for (int i = 0; i < 10; ++i) input.push_back(Snap(Utc(2024, 3, 1) + i * kHour));
  RetentionPolicy policy;
  policy.last = 3;
  EXPECT_FALSE(policy.Empty());
  ForgetPlan plan = PlanRetention(input, policy);
  EXPECT_EQ(Times(plan.keep), (std::set<int64_t>{Utc(2024, 3, 1, 7), Utc(2024, 3, 1, 8), Utc(2024, 3, 1, 9)}));
  EXPECT_EQ(plan.remove.size(), 7u);
  for (const auto& r : plan.keep) EXPECT_EQ(plan.reasons[r.id], std::vector<std::string>{"last"});
  policy.last = 50;
  EXPECT_EQ(Kept(input, policy).size(), 10u);
}

TEST_F(ForgetPolicyTest, HourlyKeepsTheNewestOfEachHour) {
  std::vector<repo::SnapshotRecord> input;
  for (int m = 0; m < 180; m += 20) input.push_back(Snap(Utc(2024, 5, 5, 10, m % 60) + (m / 60) * kHour));
  RetentionPolicy policy;
  policy.hourly = 2;
  EXPECT_EQ(Kept(input, policy), (std::set<int64_t>{Utc(2024, 5, 5, 12, 40), Utc(2024, 5, 5, 11, 40)}));
}

TEST_F(ForgetPolicyTest, DailyKeepsTheNewestOfEachDay) {
  std::vector<repo::SnapshotRecord> input;
  for (int d = 1; d <= 5; ++d) {
    for (int h : {0, 6, 12, 18}) input.push_back(Snap(Utc(2024, 1, d, h)));
  }
  RetentionPolicy policy;
  policy.daily = 3;
  EXPECT_EQ(Kept(input, policy), (std::set<int64_t>{Utc(2024, 1, 5, 18), Utc(2024, 1, 4, 18), Utc(2024, 1, 3, 18)}));
}

TEST_F(ForgetPolicyTest, DaysWithoutSnapshotsDoNotCount) {
  std::vector<repo::SnapshotRecord> input{Snap(Utc(2024, 1, 1, 9)), Snap(Utc(2024, 1, 5, 9)), Snap(Utc(2024, 1, 9, 9)),
                                          Snap(Utc(2024, 1, 9, 8))};
  RetentionPolicy policy;
  policy.daily = 2;
  EXPECT_EQ(Kept(input, policy), (std::set<int64_t>{Utc(2024, 1, 9, 9), Utc(2024, 1, 5, 9)}));
}

TEST_F(ForgetPolicyTest, WeeklyUsesIsoWeeks) {
  std::vector<repo::SnapshotRecord> input;
  for (int d = 1; d <= 30; ++d) input.push_back(Snap(Utc(2024, 1, d, 12)));  // 2024-01-01 is a Monday
  RetentionPolicy policy;
  policy.weekly = 3;
  // Tuesday of week 5, then the Sundays that end weeks 4 and 3.
  EXPECT_EQ(Kept(input, policy), (std::set<int64_t>{Utc(2024, 1, 30, 12), Utc(2024, 1, 28, 12), Utc(2024, 1, 21, 12)}));
}

TEST_F(ForgetPolicyTest, WeeklyAcrossAnIsoYearBoundary) {
  // 2021-01-01..03 belong to ISO week 53 of 2020; 2021-01-04 starts week 1.
  std::vector<repo::SnapshotRecord> input;
  for (int64_t t = Utc(2020, 12, 21, 12); t <= Utc(2021, 1, 10, 12); t += kDay) input.push_back(Snap(t));
  RetentionPolicy policy;
  policy.weekly = 3;
  EXPECT_EQ(Kept(input, policy), (std::set<int64_t>{Utc(2021, 1, 10, 12), Utc(2021, 1, 3, 12), Utc(2020, 12, 27, 12)}));
}

TEST_F(ForgetPolicyTest, MonthlyIncludingALeapDay) {
  std::vector<repo::SnapshotRecord> input;
  for (int i = 0; i < 100; ++i) input.push_back(Snap(Utc(2024, 1, 1, 12) + i * kDay));  // to 2024-04-09
  RetentionPolicy policy;
  policy.monthly = 3;
  EXPECT_EQ(Kept(input, policy), (std::set<int64_t>{Utc(2024, 4, 9, 12), Utc(2024, 3, 31, 12), Utc(2024, 2, 29, 12)}));
}

TEST_F(ForgetPolicyTest, YearlyKeepsWhatExists) {
  std::vector<repo::SnapshotRecord> input;
  for (int y = 2022; y <= 2024; ++y) {
    for (int m = 1; m <= 12 && !(y == 2024 && m > 6); ++m) input.push_back(Snap(Utc(y, m, 1)));
  }
  RetentionPolicy policy;
  policy.yearly = 2;
  EXPECT_EQ(Kept(input, policy), (std::set<int64_t>{Utc(2024, 6, 1), Utc(2023, 12, 1)}));
  policy.yearly = 5;
  EXPECT_EQ(Kept(input, policy), (std::set<int64_t>{Utc(2024, 6, 1), Utc(2023, 12, 1), Utc(2022, 12, 1)}));
}

TEST_F(ForgetPolicyTest, WithinIsRelativeToTheNewestSnapshot) {
  std::vector<repo::SnapshotRecord> input;
  for (int d = 1; d <= 10; ++d) input.push_back(Snap(Utc(2024, 6, d, 12)));
  RetentionPolicy policy;
  policy.within_ns = 2 * kDay + kHour;
  EXPECT_EQ(Kept(input, policy), (std::set<int64_t>{Utc(2024, 6, 10, 12), Utc(2024, 6, 9, 12), Utc(2024, 6, 8, 12)}));
}

TEST_F(ForgetPolicyTest, TagsKeepTaggedSnapshots) {
  std::vector<repo::SnapshotRecord> input;
  for (int d = 1; d <= 6; ++d)
    input.push_back(
        Snap(Utc(2024, 2, d), d == 2 || d == 4 ? std::vector<std::string>{"keep"} : std::vector<std::string>{"x"}));
  RetentionPolicy policy;
  policy.last = 1;
  policy.tags = {"keep"};
  ForgetPlan plan = PlanRetention(input, policy);
  EXPECT_EQ(Times(plan.keep), (std::set<int64_t>{Utc(2024, 2, 6), Utc(2024, 2, 4), Utc(2024, 2, 2)}));
  EXPECT_EQ(plan.reasons[Snap(Utc(2024, 2, 4)).id], std::vector<std::string>{"tag keep"});
}

TEST_F(ForgetPolicyTest, ReasonsListEveryRuleThatKeeps) {
  std::vector<repo::SnapshotRecord> input;
  for (int d = 1; d <= 3; ++d) {
    for (int h : {6, 18}) input.push_back(Snap(Utc(2024, 1, d, h)));
  }
  RetentionPolicy policy;
  policy.last = 1;
  policy.daily = 2;
  policy.monthly = 1;
  ForgetPlan plan = PlanRetention(input, policy);
  EXPECT_EQ(Times(plan.keep), (std::set<int64_t>{Utc(2024, 1, 3, 18), Utc(2024, 1, 2, 18)}));
  EXPECT_EQ(plan.reasons[Snap(Utc(2024, 1, 3, 18)).id], (std::vector<std::string>{"last", "daily", "monthly"}));
  EXPECT_EQ(plan.reasons[Snap(Utc(2024, 1, 2, 18)).id], std::vector<std::string>{"daily"});
}

TEST_F(ForgetPolicyTest, InputOrderDoesNotMatter) {
  std::vector<repo::SnapshotRecord> input;
  for (int i = 0; i < 40; ++i) input.push_back(Snap(Utc(2023, 11, 1) + i * 13 * kHour));
  RetentionPolicy policy;
  policy.last = 2;
  policy.daily = 4;
  policy.weekly = 2;
  std::set<int64_t> expected = Kept(input, policy);
  std::mt19937 rng(3);
  for (int round = 0; round < 5; ++round) {
    std::shuffle(input.begin(), input.end(), rng);
    EXPECT_EQ(Kept(input, policy), expected);
  }
}

TEST_F(ForgetPolicyTest, DaysFollowTheLocalTimeZone) {
  // 03:00 and 06:00 UTC on Jan 2 are 22:00 on Jan 1 and 01:00 on Jan 2 at UTC-5.
  std::vector<repo::SnapshotRecord> input{Snap(Utc(2024, 1, 2, 3)), Snap(Utc(2024, 1, 2, 6))};
  RetentionPolicy policy;
  policy.daily = 5;
  EXPECT_EQ(Kept(input, policy).size(), 1u);
  SetTimeZone("EST5");  // POSIX form: needs no zoneinfo files
  EXPECT_EQ(Kept(input, policy).size(), 2u);
}

TEST(ParseDurationTest, ParsesEveryUnitAndSums) {
  constexpr int64_t kHourNs = 3600LL * 1'000'000'000;
  EXPECT_EQ(ParseDuration("1h"), kHourNs);
  EXPECT_EQ(ParseDuration("36h"), 36 * kHourNs);
  EXPECT_EQ(ParseDuration("1d"), 24 * kHourNs);
  EXPECT_EQ(ParseDuration("2w"), 14 * 24 * kHourNs);
  EXPECT_EQ(ParseDuration("1m"), 30 * 24 * kHourNs);
  EXPECT_EQ(ParseDuration("1y"), 365 * 24 * kHourNs);
  EXPECT_EQ(ParseDuration("1y6m"), (365 + 180) * 24 * kHourNs);
  EXPECT_EQ(ParseDuration("2w3d12h"), (17 * 24 + 12) * kHourNs);
  EXPECT_EQ(ParseDuration("0d"), 0);
  EXPECT_EQ(ParseDuration("007h"), 7 * kHourNs);
}

TEST(ParseDurationTest, RejectsMalformedAndOverflowingInput) {
  for (std::string_view bad : {"", "5", "d", "1x", "1d2", "-1d", "1.5d", " 1d", "1d ", "1 d", "1D", "1s", "1min",
                               "99999999999999999999d", "300000000y", "9223372036854775807h"}) {
    EXPECT_EQ(ParseDuration(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace arkiv::engine
