// RunNotifyCommand: the event and the input reach the command.
#include "monitor/notify.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>
#include <thread>
#include <vector>

#include "core/status_test_util.h"
#include "engine/engine_test_util.h"

namespace arkiv::monitor {
namespace {

using namespace arkiv::testing;

std::string ReadText(const std::string& path) {
  Bytes bytes = ReadFile(path);
  return std::string(bytes.begin(), bytes.end());
}

TEST(RunNotifyCommandTest, EventInTheEnvironmentAndInputOnStdin) {
  TempDir dir;
  std::string out = dir / "out";
  // A stale ARKIV_EVENT of our own environment is replaced, the rest is kept.
  ::setenv("ARKIV_EVENT", "stale", 1);
  ::setenv("ARKIV_NOTIFY_TEST_KEPT", "kept", 1);
  ASSERT_OK(RunNotifyCommand(fmt::format("printf '%s %s|' \"$ARKIV_EVENT\" \"$ARKIV_NOTIFY_TEST_KEPT\" > {}; cat >> {}",
                                         out, out),
                             "cloud_down", R"({"cloud":"aws"})"));
  ::unsetenv("ARKIV_EVENT");
  ::unsetenv("ARKIV_NOTIFY_TEST_KEPT");
  EXPECT_EQ(ReadText(out), R"(cloud_down kept|{"cloud":"aws"})");
}

TEST(RunNotifyCommandTest, FailureNamesTheEventAndExitStatus) {
  Status st = RunNotifyCommand("cat > /dev/null; exit 7", "rpo_breached", "{}");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), Code::kUnavailable);
  EXPECT_EQ(st.error().message(), "notify command for rpo_breached exited with 7");
}

// serve notifies from its refresher while its HTTP threads run: commands
// started from several threads at once each get their own event.
TEST(RunNotifyCommandTest, CommandsFromSeveralThreadsEachGetTheirEvent) {
  TempDir dir;
  std::vector<std::thread> threads;
  std::vector<Status> results(4, OkStatus());
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5 && results[t]; ++i) {
        std::string out = dir / fmt::format("out-{}-{}", t, i);
        results[t] = RunNotifyCommand(fmt::format("cat > /dev/null; printf %s \"$ARKIV_EVENT\" > {}", out),
                                      fmt::format("event_{}_{}", t, i), std::string(10000, 'x'));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < 4; ++t) {
    ASSERT_OK(results[t]);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(ReadText(dir / fmt::format("out-{}-{}", t, i)), fmt::format("event_{}_{}", t, i));
  }
}

}  // namespace
}  // namespace arkiv::monitor
