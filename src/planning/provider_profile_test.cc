#include "planning/provider_profile.h"

#include <gtest/gtest.h>

#include "core/status_test_util.h"

namespace arkiv::planning {
namespace {

TEST(ProviderProfileTest, EveryKindHasASaneDatedProfile) {
  auto kinds = KnownKinds();
  EXPECT_GE(kinds.size(), 14u);
  for (const auto& kind : kinds) {
    ASSERT_OK_AND_ASSIGN(ProviderProfile p, DefaultProfile(kind));
    EXPECT_EQ(p.kind, kind);
    EXPECT_FALSE(p.source.empty()) << kind;
    EXPECT_FALSE(p.description.empty()) << kind;
    EXPECT_GT(p.availability, 0.9) << kind;
    EXPECT_LE(p.availability, 1) << kind;
    EXPECT_GT(p.loss_per_year, 0) << kind;
    EXPECT_LT(p.loss_per_year, 0.1) << kind;
    EXPECT_GT(p.download_rate, 0) << kind;
    EXPECT_GE(p.connections, 1) << kind;
  }
}

TEST(ProviderProfileTest, TableValuesFromThePriceSources) {
  auto s3 = *DefaultProfile("s3-standard");
  EXPECT_EQ(s3.storage_per_gb_month, 0.023);
  EXPECT_EQ(s3.egress_per_gb, 0.09);
  EXPECT_EQ(s3.egress_free_gb, 100);
  EXPECT_EQ(s3.put_per_1000, 0.005);
  EXPECT_EQ(s3.get_per_1000, 0.0004);
  EXPECT_EQ(DefaultProfile("azure-hot")->storage_per_gb_month, 0.018);
  EXPECT_EQ(DefaultProfile("azure-cold")->minimum_days, 90);
  EXPECT_EQ(DefaultProfile("gcs-nearline")->storage_per_gb_month, 0.010);
  EXPECT_EQ(DefaultProfile("b2")->egress_free_ratio, 3);
  EXPECT_EQ(DefaultProfile("wasabi")->minimum_gb, 1024);
  EXPECT_EQ(DefaultProfile("r2")->egress_per_gb, 0);
  EXPECT_EQ(DefaultProfile("local")->storage_per_gb_month, 0);
}

TEST(ProviderProfileTest, UnknownKindNamesTheKnownOnes) {
  auto p = DefaultProfile("dropbox");
  ASSERT_EQ(CodeOf(p), Code::kInvalidArgument);
  EXPECT_NE(p.error().message().find("'dropbox'"), std::string::npos);
  EXPECT_NE(p.error().message().find("s3-standard"), std::string::npos);
}

TEST(ProviderProfileTest, OverridesSetEveryKindOfValue) {
  auto p = *DefaultProfile("s3-standard");
  ASSERT_OK(ApplyOverrides(p, {{"storage_per_gb_month", "0.02"},
                               {"availability", "0.995"},
                               {"loss_per_year", "0.002"},
                               {"download_rate", "10MiB"},
                               {"latency", "60ms"},
                               {"connections", "16"},
                               {"egress_free_gb", "0"}}));
  EXPECT_EQ(p.storage_per_gb_month, 0.02);
  EXPECT_EQ(p.availability, 0.995);
  EXPECT_EQ(p.loss_per_year, 0.002);
  EXPECT_EQ(p.download_rate, 10.0 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(p.latency, 0.06);
  EXPECT_EQ(p.connections, 16);
  EXPECT_EQ(p.egress_free_gb, 0);
  EXPECT_EQ(p.egress_per_gb, 0.09);  // untouched
  // Every key can be read back.
  for (const auto& key : ProfileKeys()) {
    ASSERT_OK(ApplyOverrides(p, {{key, "1"}}));
    EXPECT_EQ(ProfileValue(p, key), 1.0) << key;
  }
}

TEST(ProviderProfileTest, KindIsAppliedFirstAndResetsTheOtherValues) {
  auto p = *DefaultProfile("s3-standard");
  p.egress_per_gb = 5;
  ASSERT_OK(ApplyOverrides(p, {{"kind", "b2"}, {"availability", "0.9"}}));
  EXPECT_EQ(p.kind, "b2");
  EXPECT_EQ(p.egress_per_gb, 0.01);
  EXPECT_EQ(p.availability, 0.9);
}

TEST(ProviderProfileTest, BadOverridesNameTheKeyAndLeaveTheProfileAlone) {
  const auto original = *DefaultProfile("r2");
  struct Case {
    std::string key, value, says;
  };
  for (const Case& c : std::vector<Case>{{"storage", "1", "unknown cloud setting 'storage'"},
                                         {"availability", "1.5", "availability=1.5: a probability"},
                                         {"loss_per_year", "-0.1", "loss_per_year=-0.1: must not be negative"},
                                         {"egress_per_gb", "cheap", "egress_per_gb=cheap: not a number"},
                                         {"egress_per_gb", "0.1x", "not a number"},
                                         {"connections", "0.5", "connections=0.5: a whole number"},
                                         {"download_rate", "fast", "download_rate=fast: not a rate"},
                                         {"download_rate", "0", "must be more than 0"},
                                         {"latency", "soon", "latency=soon: not a duration"},
                                         {"kind", "tape", "unknown cloud kind 'tape'"}}) {
    auto p = original;
    auto st = ApplyOverrides(p, {{"put_per_1000", "7"}, {c.key, c.value}});
    ASSERT_EQ(CodeOf(st), Code::kInvalidArgument) << c.key << "=" << c.value;
    EXPECT_NE(st.error().message().find(c.says), std::string::npos) << st.error().message();
    EXPECT_EQ(p.put_per_1000, original.put_per_1000) << "a failed override must change nothing";
  }
}

TEST(ProviderProfileTest, KindGuessedFromTheUrl) {
  struct Case {
    const char* url;
    const char* kind;
  };
  for (const Case& c : std::vector<Case>{
           {"s3://bkt/arkiv?region=eu-west-1", "s3-standard"},
           {"s3://bkt/arkiv?region=eu-west-1&storage_class=STANDARD_IA", "s3-ia"},
           {"s3://bkt?storage_class=glacier_ir", "s3-glacier-ir"},
           {"s3://bkt?endpoint=https://s3.eu-central-1.amazonaws.com", "s3-standard"},
           {"s3://bkt?endpoint=https://s3.us-west-002.backblazeb2.com", "b2"},
           {"s3://bkt?endpoint=https%3A%2F%2Fs3.eu-central-2.wasabisys.com", "wasabi"},
           {"s3://bkt?endpoint=https://0123abcd.r2.cloudflarestorage.com", "r2"},
           {"s3://bkt?endpoint=https://storage.googleapis.com", "gcs-standard"},
           {"s3://bkt?endpoint=https://storage.googleapis.com&storage_class=NEARLINE", "gcs-nearline"},
           {"s3://bkt?endpoint=http://127.0.0.1:9000&path_style=true", "s3-compatible"},
           {"s3://bkt?endpoint=https://notamazonaws.com", "s3-compatible"},
           {"azure://acct/container/prefix", "azure-hot"},
           {"azure://acct/container?tier=Cool", "azure-cool"},
           {"azure://acct/container?endpoint=http://127.0.0.1:10000&tier=cold", "azure-cold"},
           {"sftp://backup@nas.lan:22/srv/arkiv", "sftp"},
           {"file:///srv/backup", "local"},
           {"/srv/backup", "local"},
       }) {
    EXPECT_EQ(GuessKind(c.url), c.kind) << c.url;
  }
}

}  // namespace
}  // namespace arkiv::planning
