#include "cli/config_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace arkiv::cli {
namespace {

constexpr const char* kPath = "/etc/arkiv/config.toml";

Result<ConfigFile> Parse(const std::string& text) {
  return ParseConfigFile(text, kPath, "/home/ann");
}

// The message of a parse that must fail.
std::string ErrorOf(const std::string& text) {
  auto config = Parse(text);
  if (config) return "(parsed without error)";
  EXPECT_EQ(config.error().code(), Code::kInvalidArgument);
  return config.error().message();
}

TEST(ConfigFileTest, EveryKey) {
  auto config = Parse(R"(# a full file
repository = "s3://bucket/repo?endpoint=http://127.0.0.1:9000"
password_file = "~/.arkiv-pass"
policy = "ec:2+1"
write_quorum = 2

[clouds.zed]       # first in the file, though last by name
url = "s3://zed-bucket/arkiv"
read_cost = 2.5
access_key_id = "AKID"
secret_access_key = "s3-secret"
session_token = "s3-token"

[clouds.azure]
url = "azure://acct/box"
read_cost = 3
connection_string = "AccountName=acct;AccountKey=a2V5"

[clouds.b2]
url = "s3://b2-bucket/arkiv"
profile = "backblaze"

[clouds.sas]
url = "azure://acct/other"
sas_token = "sv=1&sig=abc"

[clouds.keyed]
url = "azure://acct/third"
account_key = "a2V5"

[clouds.nas]
url = "sftp://backup@nas/srv/arkiv"
identity_file = "keys/nas"
)");
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ(config->path, kPath);
  EXPECT_EQ(config->repository, "s3://bucket/repo?endpoint=http://127.0.0.1:9000");
  EXPECT_EQ(config->password_file, "/home/ann/.arkiv-pass");
  ASSERT_TRUE(config->policy);
  EXPECT_EQ(config->policy->ToString(), "ec:2+1");
  EXPECT_EQ(config->write_quorum, 2);
  ASSERT_EQ(config->clouds.size(), 6u);
  std::vector<std::string> names;
  for (const auto& c : config->clouds) names.push_back(c.spec.name);
  EXPECT_EQ(names, (std::vector<std::string>{"zed", "azure", "b2", "sas", "keyed", "nas"}));

  const ConfigCloud& zed = config->clouds[0];
  EXPECT_EQ(zed.spec.url, "s3://zed-bucket/arkiv");
  EXPECT_EQ(zed.spec.read_cost, 2.5);
  EXPECT_EQ(zed.credentials.access_key_id, "AKID");
  EXPECT_EQ(zed.credentials.secret_access_key, "s3-secret");
  EXPECT_EQ(zed.credentials.session_token, "s3-token");
  EXPECT_EQ(config->clouds[1].spec.read_cost, 3.0);
  EXPECT_EQ(config->clouds[1].credentials.connection_string, "AccountName=acct;AccountKey=a2V5");
  EXPECT_EQ(config->clouds[2].credentials.profile, "backblaze");
  EXPECT_EQ(config->clouds[2].spec.read_cost, 1.0);
  EXPECT_EQ(config->clouds[3].credentials.sas_token, "sv=1&sig=abc");
  EXPECT_EQ(config->clouds[4].credentials.account_key, "a2V5");
  // Relative to the config file's folder.
  EXPECT_EQ(config->clouds[5].credentials.identity_file, "/etc/arkiv/keys/nas");

  EXPECT_EQ(config->FindCloud("nas"), &config->clouds[5]);
  EXPECT_EQ(config->FindCloud("nope"), nullptr);
  EXPECT_EQ(config->FindCloudByUrl("azure://acct/box"), &config->clouds[1]);
  EXPECT_EQ(config->FindCloudByUrl("azure://acct/box?x=1"), nullptr);
  EXPECT_TRUE(config->HoldsSecrets());
}

TEST(ConfigFileTest, EmptyFileAndPartialFiles) {
  auto empty = Parse("");
  ASSERT_TRUE(empty) << empty.error().message();
  EXPECT_FALSE(empty->repository);
  EXPECT_FALSE(empty->password_file);
  EXPECT_FALSE(empty->policy);
  EXPECT_TRUE(empty->clouds.empty());
  EXPECT_FALSE(empty->HoldsSecrets());

  auto local = Parse("repository = \"backups/main\"\npassword_file = \"/abs/pass\"\n");
  ASSERT_TRUE(local) << local.error().message();
  EXPECT_EQ(local->repository, "/etc/arkiv/backups/main");
  EXPECT_EQ(local->password_file, "/abs/pass");

  // A profile and a key file are not secrets.
  auto plain = Parse(
      "[clouds.a]\nurl = \"s3://a/x\"\nprofile = \"p\"\n[clouds.b]\nurl = \"sftp://h/x\"\n"
      "identity_file = \"~/.ssh/id\"\n");
  ASSERT_TRUE(plain) << plain.error().message();
  EXPECT_FALSE(plain->HoldsSecrets());
  EXPECT_EQ(plain->clouds[1].credentials.identity_file, "/home/ann/.ssh/id");
}

TEST(ConfigFileTest, DottedKeysAndInlineTablesKeepTheFileOrder) {
  auto dotted = Parse("clouds.b.url = \"s3://b/x\"\nclouds.a.url = \"s3://a/x\"\n");
  ASSERT_TRUE(dotted) << dotted.error().message();
  ASSERT_EQ(dotted->clouds.size(), 2u);
  EXPECT_EQ(dotted->clouds[0].spec.name, "b");
  auto inline_tables = Parse("clouds = { z = { url = \"s3://z/x\" }, y = { url = \"s3://y/x\" } }\n");
  ASSERT_TRUE(inline_tables) << inline_tables.error().message();
  EXPECT_EQ(inline_tables->clouds[0].spec.name, "z");
  EXPECT_EQ(inline_tables->clouds[1].spec.name, "y");
}

TEST(ConfigFileTest, UnknownKeysAreNamedWithTheirPlace) {
  EXPECT_EQ(ErrorOf("repository = \"/r\"\n\npolcy = \"ec:2+1\"\n"),
            "/etc/arkiv/config.toml:3:1: unknown key 'polcy' (known: repository, password_file, policy, write_quorum, "
            "notify_command, rpo, sources, clouds)");
  EXPECT_EQ(ErrorOf("[clouds.aws]\nurl = \"s3://b/x\"\n  secret_acces_key = \"x\"\n"),
            "/etc/arkiv/config.toml:3:3: unknown key 'secret_acces_key' in [clouds.aws] (known: url, read_cost, "
            "access_key_id, secret_access_key, session_token, profile, connection_string, account_key, sas_token, "
            "identity_file, plan)");
  // An unknown table is an unknown key too.
  EXPECT_EQ(ErrorOf("[cloud.aws]\nurl = \"s3://b/x\"\n"),
            "/etc/arkiv/config.toml:1:2: unknown key 'cloud' (known: repository, password_file, policy, "
            "write_quorum, notify_command, rpo, sources, clouds)");
  // The first of several, in the order of the file (toml++ sorts by name).
  EXPECT_EQ(ErrorOf("zz = 1\naa = 2\n").substr(0, 47), "/etc/arkiv/config.toml:1:1: unknown key 'zz' (k");
}

TEST(ConfigFileTest, BadTypesAndValues) {
  EXPECT_EQ(ErrorOf("repository = 5\n"), "/etc/arkiv/config.toml:1:14: repository must be a string");
  EXPECT_EQ(ErrorOf("password_file = \"\"\n"), "/etc/arkiv/config.toml:1:17: password_file must not be empty");
  EXPECT_EQ(ErrorOf("[clouds.a]\nurl = \"s3://a/x\"\n[clouds.b]\nurl = \"s3://b/x\"\nwrite_quorum = \"2\"\n"),
            "/etc/arkiv/config.toml:5:1: unknown key 'write_quorum' in [clouds.b] (known: url, read_cost, "
            "access_key_id, secret_access_key, session_token, profile, connection_string, account_key, sas_token, "
            "identity_file, plan)");
  EXPECT_EQ(ErrorOf("write_quorum = \"2\"\n[clouds.a]\nurl = \"s3://a/x\"\n"),
            "/etc/arkiv/config.toml:1:16: write_quorum must be an integer");
  EXPECT_EQ(ErrorOf("write_quorum = 0\n[clouds.a]\nurl = \"s3://a/x\"\n"),
            "/etc/arkiv/config.toml:1:16: write_quorum must be from 1 to 32");
  EXPECT_EQ(ErrorOf("clouds = 3\n"), "/etc/arkiv/config.toml:1:10: clouds must be a table");
  EXPECT_EQ(ErrorOf("clouds.aws = \"s3://b/x\"\n"),
            "/etc/arkiv/config.toml:1:14: clouds.aws must be a table ([clouds.aws] with url = ...)");
  EXPECT_EQ(ErrorOf("[clouds.a]\nurl = \"s3://a/x\"\nread_cost = \"cheap\"\n"),
            "/etc/arkiv/config.toml:3:13: read_cost in [clouds.a] must be a number");
  EXPECT_EQ(ErrorOf("[clouds.a]\nurl = \"s3://a/x\"\nread_cost = -1\n"),
            "/etc/arkiv/config.toml:3:13: read_cost in [clouds.a] must be at least 0");
  EXPECT_EQ(ErrorOf("[clouds.a]\nurl = \"s3://a/x\"\nread_cost = nan\n"),
            "/etc/arkiv/config.toml:3:13: read_cost in [clouds.a] must be at least 0");
  EXPECT_EQ(ErrorOf("[clouds.a]\nurl = \"s3://a/x\"\naccess_key_id = 12\n"),
            "/etc/arkiv/config.toml:3:17: access_key_id in [clouds.a] must be a string");
}

TEST(ConfigFileTest, MonitoringKeys) {
  auto config = Parse(
      "rpo = \"2d\"\nnotify_command = \"logger -t arkiv\"\n[sources.\"db1:/var/lib/pg\"]\nrpo = \"1h\"\n"
      "[sources.\"web:/srv,/etc\"]\nrpo = \"12h\"\n");
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ(config->rpo_ns, int64_t{48} * 3600 * 1'000'000'000);
  EXPECT_EQ(config->notify_command, "logger -t arkiv");
  ASSERT_EQ(config->source_rpo_ns.size(), 2u);
  EXPECT_EQ(config->source_rpo_ns.at("db1:/var/lib/pg"), int64_t{3600} * 1'000'000'000);
  EXPECT_EQ(config->source_rpo_ns.at("web:/srv,/etc"), int64_t{12} * 3600 * 1'000'000'000);
  EXPECT_EQ(ErrorOf("rpo = \"soon\"\n"), "/etc/arkiv/config.toml:1:7: rpo must be a duration (e.g. 24h, 2d, 1w)");
  EXPECT_NE(ErrorOf("[sources.\"a:/b\"]\nrpo = \"x\"\n").find("config.toml:2:"), std::string::npos);
  EXPECT_NE(ErrorOf("[sources.\"a:/b\"]\nrp = \"1h\"\n").find("unknown key 'rp'"), std::string::npos);
}

TEST(ConfigFileTest, PlanValuesPerCloud) {
  auto config = Parse(R"([clouds.aws]
url = "s3://bucket/arkiv"
[clouds.aws.plan]
kind = "s3-ia"
egress_per_gb = 0.05
connections = 16
download_rate = "40MiB"
latency = "30ms"
[clouds.nas]
url = "/srv/backup"
)");
  ASSERT_TRUE(config) << config.error().message();
  ASSERT_EQ(config->clouds.size(), 2u);
  EXPECT_EQ(config->clouds[0].plan, (std::map<std::string, std::string>{{"kind", "s3-ia"},
                                                                         {"egress_per_gb", "0.05"},
                                                                         {"connections", "16"},
                                                                         {"download_rate", "40MiB"},
                                                                         {"latency", "30ms"}}));
  EXPECT_TRUE(config->clouds[1].plan.empty());

  EXPECT_EQ(ErrorOf("[clouds.aws]\nurl = \"/x\"\n[clouds.aws.plan]\negress = 0.05\n"),
            "/etc/arkiv/config.toml:4:1: unknown key 'egress' in [clouds.aws.plan] (known: kind, storage_per_gb_month, "
            "egress_per_gb, egress_free_gb, egress_free_ratio, retrieval_per_gb, put_per_1000, get_per_1000, "
            "list_per_1000, minimum_days, minimum_gb, availability, loss_per_year, download_rate, latency, "
            "connections)");
  EXPECT_NE(ErrorOf("[clouds.aws]\nurl = \"/x\"\n[clouds.aws.plan]\nkind = \"s4\"\n").find("s4"), std::string::npos);
  EXPECT_NE(ErrorOf("[clouds.aws]\nurl = \"/x\"\n[clouds.aws.plan]\navailability = 2\n").find("availability"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[clouds.aws]\nurl = \"/x\"\n[clouds.aws.plan]\nlatency = true\n")
                .find("/etc/arkiv/config.toml:4:11: latency in [clouds.aws.plan] must be a number or a non-empty string"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[clouds.aws]\nurl = \"/x\"\nplan = 3\n").find("plan in [clouds.aws] must be a table"),
            std::string::npos);
}

TEST(ConfigFileTest, BadPolicy) {
  std::string message = ErrorOf("policy = \"ec:2-1\"\n[clouds.a]\nurl = \"s3://a/x\"\n");
  EXPECT_TRUE(message.starts_with("/etc/arkiv/config.toml:1:10: ")) << message;
  EXPECT_NE(message.find("ec:K+M"), std::string::npos) << message;
  EXPECT_EQ(ErrorOf("policy = \"ec:2+1\"\n"),
            "/etc/arkiv/config.toml:1:10: policy is for the clouds of init: add [clouds.NAME] tables");
}

TEST(ConfigFileTest, CloudsNeedAUrlAGoodNameAndNoSecretsInTheUrl) {
  EXPECT_EQ(ErrorOf("[clouds.aws]\nread_cost = 1\n"), "/etc/arkiv/config.toml:1:1: [clouds.aws] has no url");
  EXPECT_EQ(ErrorOf("[clouds]\n"),
            "/etc/arkiv/config.toml:1:1: [clouds] names no cloud (add a [clouds.NAME] table with a url)");
  std::string bad_name = ErrorOf("[clouds.AWS]\nurl = \"s3://a/x\"\n");
  EXPECT_TRUE(bad_name.starts_with("/etc/arkiv/config.toml:1:1: cloud name 'AWS': use 1 to 32")) << bad_name;
  std::string secret = ErrorOf("[clouds.az]\nurl = \"azure://a/box?sig=s3cr3t-sig\"\n");
  EXPECT_TRUE(secret.starts_with("/etc/arkiv/config.toml:2:7: a cloud URL must not carry a 'sig' parameter")) << secret;
  EXPECT_EQ(secret.find("s3cr3t-sig"), std::string::npos) << secret;
}

TEST(ConfigFileTest, CredentialsMustFitTheCloudAndNeverAppearInErrors) {
  std::string wrong_kind = ErrorOf("[clouds.az]\nurl = \"azure://a/box\"\nsecret_access_key = \"TOPSECRET\"\n");
  EXPECT_EQ(wrong_kind,
            "/etc/arkiv/config.toml:1:1: [clouds.az]: credentials for S3 (access_key_id, secret_access_key, "
            "session_token, profile) given for an azure:// store");
  EXPECT_EQ(ErrorOf("[clouds.s3]\nurl = \"s3://a/x\"\nsas_token = \"TOPSECRET\"\n"),
            "/etc/arkiv/config.toml:1:1: [clouds.s3]: credentials for Azure (connection_string, account_key, "
            "sas_token) given for an s3:// store");
  EXPECT_EQ(ErrorOf("[clouds.d]\nurl = \"/srv/disk\"\nidentity_file = \"/k\"\n"),
            "/etc/arkiv/config.toml:1:1: [clouds.d]: credentials for SFTP (identity_file) given for a local store");
  std::string half = ErrorOf("[clouds.s3]\nurl = \"s3://a/x\"\nsecret_access_key = \"TOPSECRET\"\n");
  EXPECT_NE(half.find("access_key_id and secret_access_key go together"), std::string::npos) << half;
  std::string both = ErrorOf(
      "[clouds.s3]\nurl = \"s3://a/x\"\naccess_key_id = \"A\"\nsecret_access_key = "
      "\"TOPSECRET\"\nprofile = \"p\"\n");
  EXPECT_NE(both.find("not both"), std::string::npos) << both;
  std::string two = ErrorOf("[clouds.az]\nurl = \"azure://a/box\"\naccount_key = \"TOPSECRET\"\nsas_token = \"x\"\n");
  EXPECT_NE(two.find("not several"), std::string::npos) << two;
  for (const auto& message : {wrong_kind, half, both, two}) {
    EXPECT_EQ(message.find("TOPSECRET"), std::string::npos) << message;
  }
}

TEST(ConfigFileTest, SyntaxErrorsNameTheirPlace) {
  std::string message = ErrorOf("repository = \"/r\"\npolicy = ec:2+1\n");
  EXPECT_TRUE(message.starts_with("/etc/arkiv/config.toml:2:10: ")) << message;
  message = ErrorOf("[clouds.a]\nurl = \"s3://a/x\"\n[clouds.a]\nurl = \"s3://b/x\"\n");
  EXPECT_TRUE(message.starts_with("/etc/arkiv/config.toml:3:")) << message;
}

TEST(ConfigFileTest, LoadReadsTheFileAndNamesAMissingOne) {
  char dir[] = "/tmp/arkiv-config-test.XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  std::string path = std::string(dir) + "/config.toml";
  std::ofstream(path) << "password_file = \"pass\"\n[clouds.a]\nurl = \"s3://a/x\"\nbogus = 1\n";
  auto loaded = LoadConfigFile(path);
  ASSERT_FALSE(loaded);
  EXPECT_TRUE(loaded.error().message().starts_with(path + ":4:1: unknown key 'bogus' in [clouds.a]"))
      << loaded.error().message();
  std::ofstream(path) << "password_file = \"pass\"\n";
  loaded = LoadConfigFile(path);
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_EQ(loaded->password_file, std::string(dir) + "/pass");
  auto folder = LoadConfigFile(dir);
  ASSERT_FALSE(folder);
  EXPECT_NE(folder.error().message().find(dir), std::string::npos) << folder.error().message();
  std::filesystem::remove_all(dir);

  auto missing = LoadConfigFile("/nonexistent/arkiv/config.toml");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message().find("/nonexistent/arkiv/config.toml"), std::string::npos);
}

}  // namespace
}  // namespace arkiv::cli
