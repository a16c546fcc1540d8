#include "planning/measure.h"

#include <gtest/gtest.h>

#include "core/status_test_util.h"
#include "storage/backends/memory_store.h"

namespace arkiv::planning {
namespace {

TEST(MeasureTest, ReadsEveryObjectAndCountsItsBytes) {
  storage::MemoryStore store;
  ASSERT_OK(store.Put("config", Bytes(10, 1)));
  ASSERT_OK(store.Put("data/aa/one", Bytes(3000, 2)));
  ASSERT_OK(store.Put("data/bb/two", Bytes(5000, 3)));
  ASSERT_OK_AND_ASSIGN(auto m, MeasureDownload(store, {"data/aa/one", "data/bb/two"}, "config"));
  EXPECT_EQ(m.bytes, 8000);
  EXPECT_GT(m.rate, 0);
  EXPECT_GE(m.latency, 0);
}

TEST(MeasureTest, NamesTheStoreAndObjectThatFailed) {
  storage::MemoryStore store("mem-test");
  ASSERT_OK(store.Put("config", Bytes(10, 1)));
  auto missing = MeasureDownload(store, {"data/aa/gone"}, "config");
  ASSERT_EQ(CodeOf(missing), Code::kNotFound);
  EXPECT_NE(missing.error().message().find("data/aa/gone"), std::string::npos) << missing.error().message();
  EXPECT_EQ(CodeOf(MeasureDownload(store, {}, "config")), Code::kFailedPrecondition);
  EXPECT_EQ(CodeOf(MeasureDownload(store, {"config"}, "no-such-probe")), Code::kNotFound);
}

}  // namespace
}  // namespace arkiv::planning
