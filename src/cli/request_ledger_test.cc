// RequestLedger: stores without metrics are counted by a MetricsStore of its
// own, stacks with metrics through theirs; entries of one name add up, and
// the opening store takes the name of the cloud opened from the same URL.
#include "cli/request_ledger.h"

#include <gtest/gtest.h>

#include "core/status_test_util.h"
#include "storage/backends/memory_store.h"
#include "storage/wrappers/metrics_store.h"

namespace arkiv::cli {
namespace {

storage::StoreStack Bare(const std::string& name) {
  return {.store = std::make_shared<storage::MemoryStore>(name), .metrics = nullptr};
}

TEST(RequestLedgerTest, CountsEveryKindAndTheBytesOfAStoreWithoutMetrics) {
  RequestLedger ledger;
  auto store = ledger.Enter(Bare("m"), "repository", "memory://m");
  ASSERT_OK(store->Put("a", AsBytes("12345")));
  ASSERT_OK(store->Put("b", AsBytes("xy")));
  ASSERT_TRUE(store->Get("a", 1, 3));
  EXPECT_FALSE(store->Get("missing"));
  ASSERT_TRUE(store->Stat("b"));
  ASSERT_OK(store->List("", [](const storage::ObjectInfo&) { return OkStatus(); }));
  ASSERT_OK(store->Remove("b"));
  auto counts = ledger.ByStore();
  ASSERT_EQ(counts.size(), 1u);
  const RequestCounts& c = counts["repository"];
  EXPECT_EQ(c,
            (RequestCounts{
                .put = 2, .get = 2, .list = 1, .stat = 1, .remove = 1, .errors = 1, .bytes_up = 7, .bytes_down = 3}));
  EXPECT_EQ(c.total(), 7u);
}

TEST(RequestLedgerTest, AStackWithMetricsIsCountedThroughThemNotTwice) {
  RequestLedger ledger;
  auto metrics = std::make_shared<storage::StoreMetrics>("cloud");
  auto inner = std::make_shared<storage::MetricsStore>(std::make_shared<storage::MemoryStore>("c"), metrics);
  auto store = ledger.Enter({.store = inner, .metrics = metrics}, "aws", "s3://b");
  EXPECT_EQ(store, inner);  // nothing put on top
  ASSERT_OK(store->Put("a", AsBytes("123")));
  EXPECT_EQ(ledger.ByStore()["aws"].put, 1u);
}

TEST(RequestLedgerTest, TheOpeningStoreFoldsIntoTheCloudOfItsUrl) {
  RequestLedger ledger;
  auto opening = ledger.Enter(Bare("o"), "repository", "/srv/a");
  auto a = ledger.Enter(Bare("a"), "a", "/srv/a");
  auto b = ledger.Enter(Bare("b"), "b", "/srv/b");
  ASSERT_OK(opening->Put("config", AsBytes("c")));
  ASSERT_OK(a->Put("x", AsBytes("xx")));
  ASSERT_OK(b->Put("x", AsBytes("xx")));
  ledger.FoldByUrl("repository");
  auto counts = ledger.ByStore();
  ASSERT_EQ(counts.size(), 2u);
  EXPECT_EQ(counts["a"].put, 2u);
  EXPECT_EQ(counts["a"].bytes_up, 3u);
  EXPECT_EQ(counts["b"].put, 1u);

  nlohmann::json j = RequestsJson(counts);
  EXPECT_EQ(j["put"], 3);
  EXPECT_EQ(j["total"], 3);
  EXPECT_EQ(j["bytes_up"], 5);
  EXPECT_EQ(j["stores"]["a"]["put"], 2);
  EXPECT_EQ(RequestsLine(counts), "requests: 3 PUT, 0 GET, 0 LIST, 0 STAT, 0 DELETE (5 B up, 0 B down)");
}

TEST(RequestLedgerTest, AnOpeningStoreOfAnotherUrlKeepsItsName) {
  RequestLedger ledger;
  auto opening = ledger.Enter(Bare("o"), "repository", "/srv/elsewhere");
  ledger.Enter(Bare("a"), "a", "/srv/a");
  ASSERT_OK(opening->Put("config", AsBytes("c")));
  ledger.FoldByUrl("repository");
  EXPECT_EQ(ledger.ByStore()["repository"].put, 1u);
}

}  // namespace
}  // namespace arkiv::cli
