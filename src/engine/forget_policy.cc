#include "engine/forget_policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <system_error>

namespace arkiv::engine {
namespace {

struct Bucketer {
  const char* name;
  int count;
  int64_t (*key)(const std::tm&);
};

int64_t HourKey(const std::tm& t) { return ((t.tm_year * 1000LL + t.tm_yday) * 100) + t.tm_hour; }
int64_t DayKey(const std::tm& t) { return t.tm_year * 1000LL + t.tm_yday; }
int64_t WeekKey(const std::tm& t) {
  char buf[16];
  size_t n = std::strftime(buf, sizeof(buf), "%G%V", &t);  // ISO year and week
  int64_t key = 0;
  std::from_chars(buf, buf + n, key);
  return key;
}
int64_t MonthKey(const std::tm& t) { return t.tm_year * 100LL + t.tm_mon; }
int64_t YearKey(const std::tm& t) { return t.tm_year; }

}  // namespace

bool RetentionPolicy::Empty() const {
  return last == 0 && hourly == 0 && daily == 0 && weekly == 0 && monthly == 0 && yearly == 0 && within_ns == 0 &&
         tags.empty();
}

ForgetPlan PlanRetention(std::vector<repo::SnapshotRecord> snapshots, const RetentionPolicy& policy) {
  ForgetPlan plan;
  std::sort(snapshots.begin(), snapshots.end(), [](const auto& a, const auto& b) {
    return std::tie(a.snapshot.time_ns, a.id) > std::tie(b.snapshot.time_ns, b.id);
  });
  if (policy.Empty()) {
    plan.keep = std::move(snapshots);
    return plan;
  }
  Bucketer buckets[] = {{"hourly", policy.hourly, HourKey},
                        {"daily", policy.daily, DayKey},
                        {"weekly", policy.weekly, WeekKey},
                        {"monthly", policy.monthly, MonthKey},
                        {"yearly", policy.yearly, YearKey}};
  int remaining[5];
  int64_t last_key[5];
  for (int i = 0; i < 5; ++i) {
    remaining[i] = buckets[i].count;
    last_key[i] = INT64_MIN;
  }
  int64_t newest = snapshots.empty() ? 0 : snapshots.front().snapshot.time_ns;
  for (size_t n = 0; n < snapshots.size(); ++n) {
    const auto& record = snapshots[n];
    std::vector<std::string> why;
    if (static_cast<int>(n) < policy.last) why.push_back("last");
    time_t secs = static_cast<time_t>(record.snapshot.time_ns / 1000000000);
    std::tm local{};
    ::localtime_r(&secs, &local);
    for (int i = 0; i < 5; ++i) {
      if (remaining[i] <= 0) continue;
      int64_t key = buckets[i].key(local);
      if (key != last_key[i]) {
        last_key[i] = key;
        remaining[i]--;
        why.push_back(buckets[i].name);
      }
    }
    if (policy.within_ns > 0 && newest - record.snapshot.time_ns < policy.within_ns) why.push_back("within");
    for (const auto& tag : policy.tags) {
      if (record.snapshot.HasTag(tag)) why.push_back("tag " + tag);
    }
    if (why.empty()) {
      plan.remove.push_back(record);
    } else {
      plan.reasons[record.id] = std::move(why);
      plan.keep.push_back(record);
    }
  }
  return plan;
}

std::optional<int64_t> ParseDuration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  constexpr int64_t kHour = 3600LL * 1000000000;
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i == start || i == text.size()) return std::nullopt;
    int64_t n = 0;
    if (std::from_chars(text.data() + start, text.data() + i, n).ec != std::errc()) return std::nullopt;
    int64_t unit = 0;
    switch (text[i]) {
      case 'y': unit = 365 * (24 * kHour); break;
      case 'm': unit = 30 * (24 * kHour); break;
      case 'w': unit = 7 * (24 * kHour); break;
      case 'd': unit = 24 * kHour; break;
      case 'h': unit = kHour; break;
      default: return std::nullopt;
    }
    int64_t part = 0;
    if (__builtin_mul_overflow(n, unit, &part) || __builtin_add_overflow(total, part, &total)) return std::nullopt;
    ++i;
  }
  return total;
}

}  // namespace arkiv::engine
