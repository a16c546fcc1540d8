#include "storage/open_store.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "core/status_test_util.h"
#include "storage/backends/local_store.h"
#include "storage/backends/memory_store.h"
#include "storage/testing/conformance.h"
#include "storage/testing/moto_server.h"
#include "storage/wrappers/limit_store.h"

namespace arkiv::storage {
namespace {

// AWS credentials for the test's duration (moto takes any).
class FakeAwsCredentials {
 public:
  FakeAwsCredentials() {
    ::setenv("AWS_ACCESS_KEY_ID", "testing", 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", "testing", 1);
  }
  ~FakeAwsCredentials() {
    ::unsetenv("AWS_ACCESS_KEY_ID");
    ::unsetenv("AWS_SECRET_ACCESS_KEY");
  }
};

TEST(OpenStoreTest, LocalStoresAreBareWithoutLimits) {
  auto stack = OpenStoreStack("memory://open-bare");
  ASSERT_TRUE(stack) << stack.error().message();
  EXPECT_NE(dynamic_cast<MemoryStore*>(stack->store.get()), nullptr);
  EXPECT_EQ(stack->metrics, nullptr);
  std::string dir = testing::MakeTempDir("open-bare");
  auto local = OpenStore(dir);
  ASSERT_TRUE(local);
  EXPECT_NE(dynamic_cast<LocalStore*>(local->get()), nullptr);
}

TEST(OpenStoreTest, ALimitWrapsALocalStoreAndTheBackendNeverSeesIt) {
  std::string dir = testing::MakeTempDir("open-limited");
  for (std::string url : {dir + "?connections=2", "file://" + dir + "?upload_limit=1MiB&download_limit=2MiB"}) {
    auto stack = OpenStoreStack(url);
    ASSERT_TRUE(stack) << url << ": " << stack.error().message();
    EXPECT_NE(dynamic_cast<LimitStore*>(stack->store.get()), nullptr) << url;
    EXPECT_EQ(stack->metrics, nullptr);
    EXPECT_EQ(stack->store->Location(), "file://" + dir);
    ASSERT_TRUE(stack->store->Put("config", AsBytes("c")));
    EXPECT_TRUE(std::filesystem::exists(dir + "/config"));
    ASSERT_TRUE(stack->store->Remove("config"));
  }
  auto flags = OpenStoreStack(dir, OpenStoreOptions{.upload_limit = 1 << 20, .download_limit = {}, .cloud_name = {}});
  ASSERT_TRUE(flags);
  EXPECT_NE(dynamic_cast<LimitStore*>(flags->store.get()), nullptr);
  auto zero = OpenStoreStack(dir + "?upload_limit=0");  // no limit at all: nothing to wrap
  ASSERT_TRUE(zero);
  EXPECT_NE(dynamic_cast<LocalStore*>(zero->store.get()), nullptr);
}

TEST(OpenStoreTest, AMemoryStoreStaysSharedBehindALimit) {
  ASSERT_TRUE(OpenStore("memory://open-shared").value()->Put("keys/k", AsBytes("k")));
  auto limited = OpenStore("memory://open-shared?connections=1&download_limit=10MiB");
  ASSERT_TRUE(limited);
  EXPECT_EQ((*limited)->Location(), "memory://open-shared");
  EXPECT_EQ(*(*limited)->Get("keys/k"), ToBytes("k"));
}

TEST(OpenStoreTest, BadOptionsAreRejectedBeforeAnythingIsOpened) {
  for (const char* url : {"s3://bucket/p?connections=0", "azure://acct/cont?upload_limit=fast",
                          "sftp://u@127.0.0.1/p?download_limit=x", "/tmp/never-made?connections=300"}) {
    auto store = OpenStore(url);
    ASSERT_EQ(CodeOf(store), Code::kInvalidArgument) << url;
    EXPECT_NE(store.error().message().find("store URL parameter"), std::string::npos) << store.error().message();
  }
  EXPECT_FALSE(std::filesystem::exists("/tmp/never-made"));
}

TEST(OpenStoreTest, ACloudStoreIsLimitedAndMeasured) {
  FakeAwsCredentials credentials;
  // S3 refuses parameters it does not know: it must not see ours.
  auto stack = OpenStoreStack("s3://bucket/repo?region=eu-west-1&connections=16&upload_limit=10MiB");
  ASSERT_TRUE(stack) << stack.error().message();
  EXPECT_NE(dynamic_cast<LimitStore*>(stack->store.get()), nullptr);
  ASSERT_NE(stack->metrics, nullptr);
  EXPECT_EQ(stack->metrics->cloud(), "s3://bucket/repo");
  EXPECT_EQ(stack->store->Location(), "s3://bucket/repo");
  // Default connections for a cloud store, and a name for the metrics.
  auto named = OpenStoreStack("s3://bucket/repo",
                              OpenStoreOptions{.upload_limit = {}, .download_limit = {}, .cloud_name = "aws"});
  ASSERT_TRUE(named);
  EXPECT_NE(dynamic_cast<LimitStore*>(named->store.get()), nullptr);
  EXPECT_EQ(named->metrics->cloud(), "aws");
}

TEST(OpenStoreMotoTest, MetricsCountWhatReachesTheBackend) {
  auto server = testing::MotoServer::Shared();
  ASSERT_TRUE(server) << server.error().message();
  FakeAwsCredentials credentials;
  std::string bucket = testing::UniqueBucketName();
  auto stack = OpenStoreStack(
      fmt::format("s3://{}/repo?endpoint={}&connections=2&upload_limit=100MiB", bucket, (*server)->endpoint()),
      OpenStoreOptions{.upload_limit = {}, .download_limit = {}, .cloud_name = "moto"});
  ASSERT_TRUE(stack) << stack.error().message();
  ASSERT_TRUE(stack->store->CreateLocation());
  Bytes body = testing::Pattern(300000, 5);
  ASSERT_TRUE(stack->store->Put("data/x", body));
  EXPECT_EQ(*stack->store->Get("data/x"), body);
  EXPECT_EQ(*stack->store->Get("data/x", 10, 90), Bytes(body.begin() + 10, body.begin() + 100));
  EXPECT_EQ(CodeOf(stack->store->Stat("data/missing")), Code::kNotFound);
  StoreMetricsSnapshot metrics = stack->metrics->Snapshot();
  EXPECT_EQ(metrics.cloud, "moto");
  EXPECT_EQ(metrics[Operation::kPut].requests, 1u);
  EXPECT_EQ(metrics[Operation::kPut].bytes_up, 300000u);
  EXPECT_EQ(metrics[Operation::kGet].requests, 2u);
  EXPECT_EQ(metrics[Operation::kGet].bytes_down, 300090u);
  EXPECT_EQ(metrics[Operation::kStat].requests, 1u);
  EXPECT_EQ(metrics[Operation::kStat].errors, (std::map<Code, uint64_t>{{Code::kNotFound, 1}}));
}

}  // namespace
}  // namespace arkiv::storage
