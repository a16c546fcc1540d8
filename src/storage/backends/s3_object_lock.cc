#include "storage/backends/s3_object_lock.h"

#include <fmt/format.h>

#include <charconv>
#include <ctime>

#include "storage/retention.h"
#include "storage/http/url.h"

namespace arkiv::storage {

bool S3ObjectLock::Applies(std::string_view name) const { return enabled() && RetentionApplies(name); }

std::vector<std::pair<std::string, std::string>> S3ObjectLock::Headers(
    std::chrono::system_clock::time_point now) const {
  return {{"x-amz-object-lock-mode", mode},
          {"x-amz-object-lock-retain-until-date", FormatRetainUntil(now + std::chrono::days(days))}};
}

std::string S3ObjectLock::RetentionXml(std::chrono::system_clock::time_point now) const {
  return fmt::format(
      "<Retention xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Mode>{}</Mode><RetainUntilDate>{}"
      "</RetainUntilDate></Retention>",
      mode, FormatRetainUntil(now + std::chrono::days(days)));
}

Status ApplyObjectLockParameter(S3ObjectLock& lock, std::string_view name, const std::string& value) {
  if (name == "object_lock") {
    if (value == "compliance" || value == "COMPLIANCE") {
      lock.mode = "COMPLIANCE";
    } else if (value == "governance" || value == "GOVERNANCE") {
      lock.mode = "GOVERNANCE";
    } else {
      return Fail(Code::kInvalidArgument,
                  fmt::format("s3 URL: object_lock must be compliance or governance, not '{}'", value));
    }
    return OkStatus();
  }
  ASSIGN_OR_RETURN(uint64_t days, http::ParseNumberParameter(name, value, 1, 36500));
  lock.days = static_cast<int>(days);
  return OkStatus();
}

Status CheckObjectLock(const S3ObjectLock& lock) {
  if (lock.enabled() != (lock.days > 0)) {
    return Fail(Code::kInvalidArgument,
                "s3 URL: object_lock and lock_days go together (e.g. object_lock=compliance&lock_days=30)");
  }
  return OkStatus();
}

std::optional<std::chrono::system_clock::time_point> ParseRetainUntil(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fff]Z
  if (text.size() < 20 || text.back() != 'Z' || text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
      text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  auto number = [&](size_t at, size_t width, int& out) {
    auto [end, ec] = std::from_chars(text.data() + at, text.data() + at + width, out);
    return ec == std::errc() && end == text.data() + at + width;
  };
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!number(0, 4, year) || !number(5, 2, month) || !number(8, 2, day) || !number(11, 2, hour) ||
      !number(14, 2, minute) || !number(17, 2, second)) {
    return std::nullopt;
  }
  if (text.size() > 20 && text[19] != '.') return std::nullopt;
  std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                   std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  return std::chrono::sys_days(date) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
         std::chrono::seconds(second);
}

std::string FormatRetainUntil(std::chrono::system_clock::time_point when) {
  std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}

}  // namespace arkiv::storage
