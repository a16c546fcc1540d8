// Interop with an independent client (Debian's azure-storage-blob for
// /usr/bin/python3) against Azurite, and SAS tokens that client generates.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "core/status_test_util.h"
#include "storage/backends/azure_store.h"
#include "storage/testing/azurite_server.h"
#include "storage/testing/conformance.h"

namespace arkiv::storage {
namespace {

using testing::AzuriteServer;

constexpr const char* kPython = "/usr/bin/python3";

// Runs `script` with /usr/bin/python3 and `args` (no single quotes in them);
// returns its standard output, or fails the test.
std::string RunPython(const std::string& script, const std::vector<std::string>& args) {
  std::string path = testing::MakeTempDir("azure-py") + "/script.py";
  std::ofstream(path) << script;
  std::string command = std::string(kPython) + " " + path;
  for (const auto& arg : args) command += " '" + arg + "'";
  command += " 2>&1";
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "popen failed";
    return output;
  }
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, n);
  int status = ::pclose(pipe);
  EXPECT_EQ(status, 0) << output;
  return output;
}

bool HavePythonAzure() {
  return std::system((std::string(kPython) + " -c 'import azure.storage.blob' 2>/dev/null").c_str()) == 0;
}

struct Fixture {
  AzuriteServer* server = nullptr;
  std::string container;
  std::shared_ptr<AzureStore> store;
};

Fixture NewFixture(AzureStore::Options options = {}, const std::string& prefix = "") {
  Fixture f;
  auto server = AzuriteServer::Shared();
  if (!server) {
    ADD_FAILURE() << server.error().message();
    return f;
  }
  f.server = *server;
  f.container = AzuriteServer::NewContainerName();
  f.store = std::make_shared<AzureStore>(f.server->Config(f.container, prefix), options);
  auto created = f.store->CreateContainer();
  if (!created) ADD_FAILURE() << created.error().message();
  return f;
}

constexpr const char* kInteropScript = R"(
import hashlib, sys
from azure.storage.blob import BlobServiceClient
conn, container, prefix = sys.argv[1], sys.argv[2], sys.argv[3]
client = BlobServiceClient.from_connection_string(conn).get_container_client(container)
for name in sorted(b.name for b in client.list_blobs(name_starts_with=prefix)):
    data = client.download_blob(name).readall()
    props = client.get_blob_client(name).get_blob_properties()
    print("blob", name, len(data), hashlib.sha256(data).hexdigest(), props.blob_tier)
client.upload_blob(prefix + "from-python/caf\u00e9 & co", b"written by python" * 1000)
print("done")
)";

TEST(AzureInteropTest, PythonReadsWhatArkivWroteAndViceVersa) {
  if (!HavePythonAzure()) GTEST_SKIP() << "/usr/bin/python3 lacks azure.storage.blob";
  Fixture f = NewFixture({.block_threshold = 100000, .block_size = 40000}, "repo");
  ASSERT_NE(f.store, nullptr);
  AzureConfig cool = f.server->Config(f.container, "repo");
  cool.tier = "Cool";
  AzureStore cool_store(cool, {});
  Bytes small = testing::Pattern(5000, 1);
  Bytes big = testing::Pattern(250000, 2);  // 7 blocks
  ASSERT_TRUE(f.store->Put("data/small", small));
  ASSERT_TRUE(f.store->Put("data/big", big));
  ASSERT_TRUE(cool_store.Put("data/cool", small));
  std::string output = RunPython(kInteropScript, {f.server->ConnectionString(), f.container, "repo/"});
  auto sha = [](const Bytes& b) {
    std::string path = testing::MakeTempDir("azure-sha") + "/data";
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), b.size());
    std::string out;
    FILE* pipe = ::popen(("sha256sum " + path).c_str(), "r");
    char buffer[65] = {0};
    if (pipe && std::fread(buffer, 1, 64, pipe) == 64) out = buffer;
    if (pipe) ::pclose(pipe);
    return out;
  };
  EXPECT_NE(output.find("blob repo/data/big 250000 " + sha(big) + " Hot"), std::string::npos) << output;
  EXPECT_NE(output.find("blob repo/data/cool 5000 " + sha(small) + " Cool"), std::string::npos) << output;
  EXPECT_NE(output.find("blob repo/data/small 5000 " + sha(small) + " Hot"), std::string::npos) << output;
  EXPECT_NE(output.find("done"), std::string::npos) << output;

  std::string python_name = "from-python/caf\xc3\xa9 & co";
  auto got = f.store->Get(python_name);
  ASSERT_TRUE(got) << got.error().message();
  std::string expected;
  for (int i = 0; i < 1000; ++i) expected += "written by python";
  EXPECT_EQ(AsString(*got), expected);
  EXPECT_EQ(f.store->Stat(python_name)->size, expected.size());
  EXPECT_EQ(testing::ListNames(*f.store, "from-python/"), std::multiset<std::string>{python_name});
}

constexpr const char* kSasScript = R"(
import sys, datetime
from azure.storage.blob import generate_container_sas, ContainerSasPermissions
account, key, container = sys.argv[1], sys.argv[2], sys.argv[3]
expiry = datetime.datetime.utcnow() + datetime.timedelta(hours=1)
print(generate_container_sas(account, container, account_key=key, expiry=expiry,
      permission=ContainerSasPermissions(read=True, write=True, delete=True, list=True, create=True)))
print(generate_container_sas(account, container, account_key=key, expiry=expiry,
      permission=ContainerSasPermissions(read=True, list=True)))
)";

TEST(AzureInteropTest, SasTokens) {
  if (!HavePythonAzure()) GTEST_SKIP() << "/usr/bin/python3 lacks azure.storage.blob";
  Fixture f = NewFixture();
  ASSERT_NE(f.store, nullptr);
  std::string output =
      RunPython(kSasScript, {std::string(testing::kAzuriteAccount), std::string(testing::kAzuriteKey), f.container});
  size_t newline = output.find('\n');
  ASSERT_NE(newline, std::string::npos) << output;
  std::string full = output.substr(0, newline);
  std::string read_only = output.substr(newline + 1, output.find('\n', newline + 1) - newline - 1);

  AzureConfig config = f.server->Config(f.container);
  config.key.clear();
  config.sas = full;
  AzureStore store(config, {.block_threshold = 1000, .block_size = 400});
  ASSERT_TRUE(store.Put("data/x", AsBytes("by sas")));
  const Bytes big = testing::Pattern(2500, 4);
  ASSERT_TRUE(store.Put("data/big", big));  // Put Block + Put Block List
  EXPECT_EQ(*store.Get("data/x"), ToBytes("by sas"));
  EXPECT_EQ(*store.Get("data/big", 1000, 10), Bytes(big.begin() + 1000, big.begin() + 1010));
  EXPECT_EQ(store.Stat("data/big")->size, 2500u);
  EXPECT_EQ(testing::ListNames(store, "data/"), (std::multiset<std::string>{"data/big", "data/x"}));
  EXPECT_EQ(CodeOf(store.Put("data/x", AsBytes("again"), PutMode::kCreateOnly)), Code::kAlreadyExists);
  ASSERT_TRUE(store.Remove("data/big"));
  EXPECT_EQ(CodeOf(store.Remove("data/big")), Code::kNotFound);

  config.sas = read_only;
  AzureStore reader(config, {});
  EXPECT_EQ(*reader.Get("data/x"), ToBytes("by sas"));
  auto denied = reader.Put("data/y", AsBytes("no"));
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code(), Code::kPermissionDenied) << denied.error().message();
  EXPECT_EQ(denied.error().message().find("sig="), std::string::npos);

  config.sas = full.substr(0, full.find("sig=")) + "sig=AAAA" + "%3D";
  AzureStore forged(config, {});
  auto forged_get = forged.Get("data/x");
  ASSERT_FALSE(forged_get);
  EXPECT_EQ(forged_get.error().code(), Code::kPermissionDenied) << forged_get.error().message();
}

}  // namespace
}  // namespace arkiv::storage
