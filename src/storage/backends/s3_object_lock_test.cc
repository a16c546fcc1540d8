#include "storage/backends/s3_object_lock.h"

#include <gtest/gtest.h>

#include "core/status_test_util.h"
#include "storage/backends/s3_store.h"
#include "storage/http/content_md5.h"
#include "storage/testing/moto_server.h"

namespace arkiv::storage {
namespace {

using std::chrono::system_clock;

TEST(S3ObjectLockTest, UrlParametersGoTogether) {
  ASSERT_OK_AND_ASSIGN(auto options,
                       S3Store::ParseUrl("s3://b/p?endpoint=http://127.0.0.1:1&object_lock=compliance&lock_days=30"));
  EXPECT_EQ(options.object_lock.mode, "COMPLIANCE");
  EXPECT_EQ(options.object_lock.days, 30);
  ASSERT_OK_AND_ASSIGN(auto governance, S3Store::ParseUrl("s3://b?object_lock=GOVERNANCE&lock_days=1"));
  EXPECT_EQ(governance.object_lock.mode, "GOVERNANCE");
  ASSERT_OK_AND_ASSIGN(auto none, S3Store::ParseUrl("s3://b"));
  EXPECT_FALSE(none.object_lock.enabled());

  for (const char* bad : {"s3://b?lock_days=3", "s3://b?object_lock=compliance", "s3://b?object_lock=yes&lock_days=3",
                          "s3://b?object_lock=compliance&lock_days=0", "s3://b?object_lock=compliance&lock_days=99999",
                          "s3://b?object_lock=compliance&lock_days=ten"}) {
    auto parsed = S3Store::ParseUrl(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code(), Code::kInvalidArgument) << bad;
  }
}

TEST(S3ObjectLockTest, BookkeepingIsNotRetained) {
  S3ObjectLock lock{"COMPLIANCE", 7};
  for (const char* name : {"config", "keys/ab", "clouds/cd", "snapshots/ef", "index/01", "data/ab/abcd", "abcd.s1"}) {
    EXPECT_TRUE(lock.Applies(name)) << name;
  }
  for (const char* name : {"locks/ab", "prune/cd", "status/host"}) EXPECT_FALSE(lock.Applies(name)) << name;
  EXPECT_FALSE(S3ObjectLock{}.Applies("data/ab/abcd"));
}

TEST(S3ObjectLockTest, HeadersCarryTheModeAndTheDate) {
  S3ObjectLock lock{"GOVERNANCE", 2};
  auto now = system_clock::time_point(std::chrono::sys_days(std::chrono::year(2026) / 11 / 28)) +
             std::chrono::hours(4) + std::chrono::minutes(5) + std::chrono::seconds(6);
  auto headers = lock.Headers(now);
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers[0], (std::pair<std::string, std::string>{"x-amz-object-lock-mode", "GOVERNANCE"}));
  EXPECT_EQ(headers[1],
            (std::pair<std::string, std::string>{"x-amz-object-lock-retain-until-date", "2026-11-30T04:05:06Z"}));
}

TEST(S3ObjectLockTest, RetainUntilRoundTripsAndRejectsGarbage) {
  auto when = ParseRetainUntil("2026-12-31T23:59:58Z");
  ASSERT_TRUE(when);
  EXPECT_EQ(FormatRetainUntil(*when), "2026-12-31T23:59:58Z");
  auto fractional = ParseRetainUntil("2026-12-31T23:59:58.123Z");
  ASSERT_TRUE(fractional);
  EXPECT_EQ(*fractional, *when);
  for (const char* bad : {"", "2026-12-31", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-12-31T24:00:00Z",
                          "2026-12-31T23:59:58", "2026-12-31 23:59:58Z", "20x6-12-31T23:59:58Z",
                          "2026-12-31T23:59:58+01Z"}) {
    EXPECT_FALSE(ParseRetainUntil(bad)) << bad;
  }
}

TEST(S3ObjectLockTest, ContentMd5IsBase64OfTheDigest) {
  // RFC 1321 test vectors.
  EXPECT_EQ(http::ContentMd5({}), "1B2M2Y8AsgTpgAmY7PhCfg==");
  std::string abc = "abc";
  EXPECT_EQ(http::ContentMd5(AsBytes(abc)), "kAFQmDzST7DWlj99KOF/cg==");
}

}  // namespace
}  // namespace arkiv::storage

namespace arkiv::storage {
namespace {

// Against moto: a bucket with Object Lock, objects written with a 1-day
// retention, refreshed by a store configured for 4 days.
TEST(S3ObjectLockMotoTest, RefreshExtendsOnlyWhenLessThanHalfIsLeft) {
  auto server = testing::MotoServer::Shared();
  ASSERT_TRUE(server) << server.error().message();
  S3Options options;
  options.bucket = testing::UniqueBucketName();
  options.endpoint = (*server)->endpoint();
  options.path_style = true;
  options.credentials = {"testing", "testing", ""};
  options.object_lock = {"COMPLIANCE", 1};
  S3Store one_day(options);
  ASSERT_OK(one_day.CreateBucket());
  EXPECT_TRUE(one_day.Capabilities().retains);
  ASSERT_OK(one_day.Put("data/ab/abcd", Bytes(100, 1)));
  ASSERT_OK(one_day.Put("locks/ef", Bytes(10, 2)));

  auto now = system_clock::now();
  ASSERT_OK_AND_ASSIGN(auto until, one_day.RetainedUntil("data/ab/abcd"));
  ASSERT_TRUE(until);
  EXPECT_NEAR(std::chrono::duration<double>(*until - now).count(), 86400, 120);
  ASSERT_OK_AND_ASSIGN(auto lock_file, one_day.RetainedUntil("locks/ef"));
  EXPECT_FALSE(lock_file) << "bookkeeping carries no retention";

  // Half a day or more is left of one: nothing to do.
  ASSERT_OK(one_day.RefreshRetention("data/ab/abcd"));
  ASSERT_OK_AND_ASSIGN(auto same, one_day.RetainedUntil("data/ab/abcd"));
  EXPECT_EQ(*same, *until);

  // Configured for four days, the same object has less than half left.
  options.object_lock.days = 4;
  S3Store four_days(options);
  ASSERT_OK(four_days.RefreshRetention("data/ab/abcd"));
  ASSERT_OK_AND_ASSIGN(auto extended, four_days.RetainedUntil("data/ab/abcd"));
  ASSERT_TRUE(extended);
  EXPECT_NEAR(std::chrono::duration<double>(*extended - now).count(), 4 * 86400, 120);
  ASSERT_OK(four_days.RefreshRetention("locks/ef"));
  auto missing = four_days.RefreshRetention("data/00/0000");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), Code::kNotFound);

  // A retained object is not removed, and the message says until when.
  auto removed = four_days.Remove("data/ab/abcd");
  ASSERT_FALSE(removed);
  EXPECT_EQ(removed.error().code(), Code::kRetained);
  EXPECT_NE(removed.error().message().find(FormatRetainUntil(*extended)), std::string::npos)
      << removed.error().message();
  ASSERT_OK(four_days.Remove("locks/ef"));
}

}  // namespace
}  // namespace arkiv::storage
