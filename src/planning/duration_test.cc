#include "planning/duration.h"

#include <gtest/gtest.h>

#include "core/status_test_util.h"

namespace arkiv::planning {
namespace {

TEST(DurationTest, UnitsAndCombinations) {
  EXPECT_EQ(*ParseDuration("90s"), 90);
  EXPECT_EQ(*ParseDuration("30m"), 1800);
  EXPECT_EQ(*ParseDuration("30min"), 1800);
  EXPECT_EQ(*ParseDuration("4h"), 4 * 3600);
  EXPECT_EQ(*ParseDuration("2d"), 2 * 86400);
  EXPECT_EQ(*ParseDuration("1h30m"), 5400);
  EXPECT_EQ(*ParseDuration("1.5h"), 5400);
  EXPECT_DOUBLE_EQ(*ParseDuration("250ms"), 0.25);
  EXPECT_EQ(*ParseDuration("3600"), 3600);
  EXPECT_EQ(*ParseDuration("4H"), 4 * 3600);
}

TEST(DurationTest, RejectsWhatIsNotADuration) {
  for (const char* text : {"", "abc", "1h30", "-5m", "5x", "inf", "h", "1e400s", "4000y", "99999d"}) {
    auto d = ParseDuration(text);
    EXPECT_EQ(CodeOf(d), Code::kInvalidArgument) << text;
  }
  EXPECT_NE(ParseDuration("soon").error().message().find("'soon' is not a duration"), std::string::npos);
}

}  // namespace
}  // namespace arkiv::planning
