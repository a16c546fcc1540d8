#include "storage/backends/azure_config.h"

#include <gtest/gtest.h>

#include <map>

namespace arkiv::storage {
namespace {

constexpr std::string_view kKey = "c2VjcmV0LWtleS1ieXRlcw==";

GetEnv Env(std::map<std::string, std::string> values) {
  return [values](const char* name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

TEST(AzureConfigTest, ConnectionStringWithEndpoint) {
  auto config =
      ParseAzureUrl("azure://devstoreaccount1/backups/host/a?tier=cool",
                    Env({{"AZURE_STORAGE_CONNECTION_STRING",
                          "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + std::string(kKey) +
                              ";BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1/;"}}));
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ(config->account, "devstoreaccount1");
  EXPECT_EQ(config->container, "backups");
  EXPECT_EQ(config->prefix, "host/a");
  EXPECT_EQ(config->endpoint, "http://127.0.0.1:10000/devstoreaccount1");
  EXPECT_EQ(config->tier, "Cool");
  EXPECT_EQ(config->key, kKey);
  EXPECT_TRUE(config->sas.empty());
}

TEST(AzureConfigTest, AccountAndKeyDefaultEndpoint) {
  auto config = ParseAzureUrl("azure://acct/box",
                              Env({{"AZURE_STORAGE_ACCOUNT", "acct"}, {"AZURE_STORAGE_KEY", std::string(kKey)}}));
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ(config->endpoint, "https://acct.blob.core.windows.net");
  EXPECT_EQ(config->prefix, "");
  EXPECT_EQ(config->key, kKey);
}

TEST(AzureConfigTest, SasFromUrlOrEnvironment) {
  auto from_url = ParseAzureUrl("azure://acct/box?endpoint=http%3A%2F%2F127.0.0.1%3A1%2Facct&sas=%3Fsv%3D1%26sig%3Dabc",
                                Env({{"AZURE_STORAGE_KEY", std::string(kKey)}}));
  ASSERT_TRUE(from_url) << from_url.error().message();
  EXPECT_EQ(from_url->sas, "sv=1&sig=abc");
  EXPECT_TRUE(from_url->key.empty());
  EXPECT_EQ(from_url->endpoint, "http://127.0.0.1:1/acct");
  auto from_env = ParseAzureUrl("azure://acct/box", Env({{"AZURE_STORAGE_SAS_TOKEN", "sv=2&sig=def"}}));
  ASSERT_TRUE(from_env);
  EXPECT_EQ(from_env->sas, "sv=2&sig=def");
}

TEST(AzureConfigTest, GivenCredentialsWinOverTheEnvironment) {
  auto env = Env({{"AZURE_STORAGE_CONNECTION_STRING", "AccountName=acct;AccountKey=ZW52LWtleQ=="},
                  {"AZURE_STORAGE_KEY", "ZW52LWtleQ=="},
                  {"AZURE_STORAGE_SAS_TOKEN", "sv=1&sig=env"}});
  auto by_key = ParseAzureUrl("azure://acct/box", env, {.account_key = std::string(kKey)});
  ASSERT_TRUE(by_key) << by_key.error().message();
  EXPECT_EQ(by_key->key, kKey);
  EXPECT_EQ(by_key->sas, "");
  EXPECT_EQ(by_key->endpoint, "https://acct.blob.core.windows.net");
  auto by_sas = ParseAzureUrl("azure://acct/box", env, {.sas_token = "?sv=2&sig=given"});
  ASSERT_TRUE(by_sas) << by_sas.error().message();
  EXPECT_EQ(by_sas->sas, "sv=2&sig=given");
  EXPECT_EQ(by_sas->key, "");
  auto by_string = ParseAzureUrl("azure://acct/box", env,
                                 {.connection_string = "AccountName=acct;AccountKey=" + std::string(kKey) +
                                                       ";BlobEndpoint=http://127.0.0.1:9/acct"});
  ASSERT_TRUE(by_string) << by_string.error().message();
  EXPECT_EQ(by_string->key, kKey);
  EXPECT_EQ(by_string->endpoint, "http://127.0.0.1:9/acct");
  // Another account's connection string is named as the given one, without its key.
  auto other = ParseAzureUrl("azure://acct/box", env,
                             {.connection_string = "AccountName=other;AccountKey=" + std::string(kKey)});
  ASSERT_FALSE(other);
  EXPECT_NE(other.error().message().find("the given connection_string is for account 'other'"), std::string::npos)
      << other.error().message();
  EXPECT_EQ(other.error().message().find(kKey), std::string::npos);
  // Nothing given: the environment, as before.
  auto from_env = ParseAzureUrl("azure://acct/box", env, {});
  ASSERT_TRUE(from_env);
  EXPECT_EQ(from_env->key, "ZW52LWtleQ==");
}

TEST(AzureConfigTest, ErrorsNameTheProblemButNoSecret) {
  auto none = ParseAzureUrl("azure://acct/box", Env({}));
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message().find("AZURE_STORAGE_CONNECTION_STRING"), std::string::npos);
  auto other =
      ParseAzureUrl("azure://acct/box",
                    Env({{"AZURE_STORAGE_CONNECTION_STRING", "AccountName=other;AccountKey=" + std::string(kKey)}}));
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().message().find(kKey), std::string::npos);
  auto env = Env({{"AZURE_STORAGE_KEY", std::string(kKey)}});
  EXPECT_FALSE(ParseAzureUrl("azure://acct", env));
  EXPECT_FALSE(ParseAzureUrl("azure://acct/Bad_Container", env));
  EXPECT_FALSE(ParseAzureUrl("azure://acct/box/../x", env));
  EXPECT_FALSE(ParseAzureUrl("azure://acct/box?tier=Lukewarm", env));
  EXPECT_FALSE(ParseAzureUrl("azure://acct/box?bogus=1", env));
  EXPECT_FALSE(ParseAzureUrl("azure://acct/box?timeout=0", env));
  EXPECT_FALSE(ParseAzureUrl("azure://acct/box?timeout=2s", env));
}

TEST(AzureConfigTest, Timeout) {
  auto env = Env({{"AZURE_STORAGE_KEY", std::string(kKey)}});
  EXPECT_EQ(ParseAzureUrl("azure://acct/box", env)->timeout_seconds, 0);
  auto timed = ParseAzureUrl("azure://acct/box?timeout=5", env);
  ASSERT_TRUE(timed) << timed.error().message();
  EXPECT_EQ(timed->timeout_seconds, 5);
}

TEST(AzureConfigTest, UploadParametersAndStoreWideOnes) {
  auto env = Env({{"AZURE_STORAGE_KEY", std::string(kKey)}});
  auto defaults = ParseAzureUrl("azure://acct/box", env);
  ASSERT_TRUE(defaults) << defaults.error().message();
  EXPECT_EQ(defaults->part_uploads, 4);
  EXPECT_EQ(defaults->connections, 8);
  auto config =
      ParseAzureUrl("azure://acct/box/p?part_uploads=12&connections=2&upload_limit=10MiB&download_limit=1M", env);
  ASSERT_TRUE(config) << config.error().message();
  EXPECT_EQ(config->part_uploads, 12);
  EXPECT_EQ(config->connections, 2);
  EXPECT_EQ(config->prefix, "p");
  for (const char* url : {"azure://acct/box?part_uploads=0", "azure://acct/box?part_uploads=65",
                          "azure://acct/box?part_uploads=x", "azure://acct/box?connection=4"}) {
    auto bad = ParseAzureUrl(url, env);
    ASSERT_FALSE(bad) << url;
    EXPECT_EQ(bad.error().code(), Code::kInvalidArgument) << url;
  }
}

}  // namespace
}  // namespace arkiv::storage
