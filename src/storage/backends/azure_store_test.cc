#include "storage/backends/azure_store.h"

#include <gtest/gtest.h>

#include <regex>

#include "core/status_test_util.h"
#include "storage/open_store.h"
#include "storage/testing/azurite_server.h"
#include "storage/testing/conformance.h"
#include "storage/testing/failing_proxy.h"
#include "storage/testing/server_process.h"

namespace arkiv::storage {
namespace {

using testing::AzuriteServer;

// A store on a fresh container of the shared Azurite, or null after
// reporting why not.
std::shared_ptr<AzureStore> NewAzuriteStore(AzureStore::Options options = {}, const std::string& prefix = "") {
  auto server = AzuriteServer::Shared();
  if (!server) {
    ADD_FAILURE() << server.error().message();
    return nullptr;
  }
  auto store = std::make_shared<AzureStore>((*server)->Config(AzuriteServer::NewContainerName(), prefix), options);
  auto created = store->CreateContainer();
  if (!created) {
    ADD_FAILURE() << created.error().message();
    return nullptr;
  }
  return store;
}

}  // namespace
}  // namespace arkiv::storage

// Pages of 500 so that listing 1200 objects takes several List Blobs calls;
// the 101 MiB object goes up as Put Block + Put Block List (16 MiB blocks).
ARKIV_STORE_CONFORMANCE(Azurite, [] { return arkiv::storage::NewAzuriteStore({.list_page_size = 500}, "repo/one"); });

namespace arkiv::storage {
namespace {

TEST(AzureStoreTest, BlockListUpload) {
  auto store = NewAzuriteStore({.block_threshold = 1000, .block_size = 300});
  ASSERT_NE(store, nullptr);
  Bytes data = testing::Pattern(2500, 11);  // 9 blocks, the last one short
  ASSERT_TRUE(store->Put("packs/big", data));
  EXPECT_EQ(*store->Get("packs/big"), data);
  EXPECT_EQ(store->Stat("packs/big")->size, 2500u);
  auto range = store->Get("packs/big", 299, 302);
  ASSERT_TRUE(range);
  EXPECT_EQ(*range, Bytes(data.begin() + 299, data.begin() + 601));
  EXPECT_EQ(CodeOf(store->Put("packs/big", testing::Pattern(2000, 1), PutMode::kCreateOnly)), Code::kAlreadyExists);
  ASSERT_TRUE(store->Put("packs/big", testing::Pattern(1999, 2)));
  EXPECT_EQ(*store->Get("packs/big"), testing::Pattern(1999, 2));
  ASSERT_TRUE(store->Put("packs/new", testing::Pattern(1001, 3), PutMode::kCreateOnly));
  EXPECT_EQ(*store->Get("packs/new"), testing::Pattern(1001, 3));
}

// Many small blocks, eight at a time: Put Block List names them in order
// (Azurite checks each block's MD5, and the read checks the blob's).
TEST(AzureStoreTest, ManySmallBlocksRoundTrip) {
  auto server = AzuriteServer::Shared();
  ASSERT_TRUE(server) << server.error().message();
  AzureConfig config = (*server)->Config(AzuriteServer::NewContainerName());
  config.part_uploads = 8;
  AzureStore store(config, {.block_threshold = 4096, .block_size = 1024});
  ASSERT_TRUE(store.CreateContainer());
  Bytes data = testing::Pattern(200 * 1024 + 77, 13);  // 201 blocks, the last one short
  auto put = store.Put("packs/many", data);
  ASSERT_TRUE(put) << put.error().message();
  auto got = store.Get("packs/many");
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_TRUE(*got == data) << "the blocks came back out of place";
  EXPECT_EQ(*store.Get("packs/many", 1020, 10), Bytes(data.begin() + 1020, data.begin() + 1030));
}

// A block the service refuses fails the Put before Put Block List: no blob
// appears, and an old one keeps its bytes.
TEST(AzureStoreTest, FailedBlockLeavesNoBlob) {
  auto server = AzuriteServer::Shared();
  ASSERT_TRUE(server) << server.error().message();
  auto direct = NewAzuriteStore();
  ASSERT_NE(direct, nullptr);
  std::string container = direct->Location().substr(direct->Location().rfind('/') + 1);
  auto proxy = testing::FailingProxy::Start((*server)->port(), "comp=block&", 3);
  ASSERT_TRUE(proxy) << proxy.error().message();
  AzureConfig config = (*server)->Config(container);
  config.endpoint = (*proxy)->Endpoint() + "/" + std::string(testing::kAzuriteAccount);
  config.part_uploads = 4;
  AzureStore proxied(config, {.block_threshold = 1000, .block_size = 300});
  Bytes data = testing::Pattern(2500, 17);  // 9 blocks

  auto put = proxied.Put("packs/new", data);
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().code(), Code::kUnavailable) << put.error().message();
  EXPECT_NE(put.error().message().find("writing packs/new (block "), std::string::npos) << put.error().message();
  EXPECT_EQ(CodeOf(direct->Stat("packs/new")), Code::kNotFound);

  ASSERT_TRUE(direct->Put("packs/old", AsBytes("old bytes")));
  ASSERT_FALSE(proxied.Put("packs/old", data));
  EXPECT_EQ(*direct->Get("packs/old"), ToBytes("old bytes"));
  EXPECT_EQ(testing::ListNames(*direct, ""), std::multiset<std::string>{"packs/old"});
  for (const std::string& request : (*proxy)->Requests()) {
    EXPECT_EQ(request.find("comp=blocklist"), std::string::npos) << "the block list went out: " << request;
  }
}

TEST(AzureStoreTest, ListPagesOfOne) {
  auto store = NewAzuriteStore({.list_page_size = 1}, "p");
  ASSERT_NE(store, nullptr);
  for (const char* name : {"a/1", "a/2", "a/3", "b"}) ASSERT_TRUE(store->Put(name, AsBytes(name)));
  EXPECT_EQ(testing::ListNames(*store, "a/"), (std::multiset<std::string>{"a/1", "a/2", "a/3"}));
  EXPECT_EQ(testing::ListNames(*store, "").size(), 4u);
}

TEST(AzureStoreTest, WrongKeyIsPermissionDeniedWithoutSecrets) {
  auto server = AzuriteServer::Shared();
  ASSERT_TRUE(server) << server.error().message();
  auto good = NewAzuriteStore();
  ASSERT_NE(good, nullptr);
  std::string container = good->Location().substr(good->Location().rfind('/') + 1);
  AzureConfig config = (*server)->Config(container);
  const std::string wrong_key = "d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXktd3Jvbmc=";
  config.key = wrong_key;
  AzureStore store(config, {});
  std::vector<Error> errors;
  auto collect = [&](const auto& result) {
    ASSERT_FALSE(result) << "a wrong key was accepted";
    errors.push_back(result.error());
  };
  collect(store.Put("config", AsBytes("x")));
  collect(store.Get("config"));
  collect(store.Stat("config"));
  collect(store.List("", [](const ObjectInfo&) { return OkStatus(); }));
  collect(store.Remove("config"));
  const std::regex signature("[A-Za-z0-9+/]{43}=");
  for (const Error& error : errors) {
    EXPECT_EQ(error.code(), Code::kPermissionDenied) << error.message();
    EXPECT_NE(error.message().find("rejected the credentials"), std::string::npos) << error.message();
    EXPECT_NE(error.message().find("devstoreaccount1"), std::string::npos) << error.message();
    EXPECT_NE(error.message().find(container), std::string::npos) << error.message();
    EXPECT_EQ(error.message().find(wrong_key), std::string::npos);
    EXPECT_EQ(error.message().find(testing::kAzuriteKey), std::string::npos);
    EXPECT_FALSE(std::regex_search(error.message(), signature)) << error.message();
  }
}

TEST(AzureStoreTest, MissingContainerSaysHowToCreateIt) {
  auto server = AzuriteServer::Shared();
  ASSERT_TRUE(server) << server.error().message();
  AzureStore store((*server)->Config(AzuriteServer::NewContainerName()), {});
  for (const Error& error : {store.Put("config", AsBytes("x")).error(), store.Stat("config").error(),
                             store.List("", [](const ObjectInfo&) { return OkStatus(); }).error()}) {
    EXPECT_EQ(error.code(), Code::kFailedPrecondition) << error.message();
    EXPECT_NE(error.message().find("does not exist"), std::string::npos) << error.message();
    EXPECT_NE(error.message().find("--create-bucket"), std::string::npos) << error.message();
  }
  ASSERT_TRUE(store.CreateContainer());
  ASSERT_TRUE(store.CreateContainer());  // already there: fine
  ASSERT_TRUE(store.Put("config", AsBytes("x")));
  EXPECT_EQ(*store.Get("config"), ToBytes("x"));
}

TEST(AzureStoreTest, RefusedConnectionIsUnavailable) {
  AzureConfig config;
  config.account = "devstoreaccount1";
  config.container = "nothing-here";
  config.endpoint = "http://127.0.0.1:" + std::to_string(testing::FreePort()) + "/devstoreaccount1";
  config.sas = "sv=2023-11-03&sig=c2VjcmV0";
  AzureStore store(config, {});
  auto got = store.Get("config");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code(), Code::kUnavailable) << got.error().message();
  EXPECT_EQ(got.error().message().find("sig="), std::string::npos) << got.error().message();
}

TEST(AzureStoreTest, OpenStoreReadsTheConnectionString) {
  auto server = AzuriteServer::Shared();
  ASSERT_TRUE(server) << server.error().message();
  auto first = NewAzuriteStore();
  ASSERT_NE(first, nullptr);
  ASSERT_TRUE(first->Put("prefix/config", AsBytes("hello")));
  std::string container = first->Location().substr(first->Location().rfind('/') + 1);
  ::setenv("AZURE_STORAGE_CONNECTION_STRING", (*server)->ConnectionString().c_str(), 1);
  auto store = OpenStore("azure://devstoreaccount1/" + container + "/prefix?tier=Hot&part_uploads=2&connections=4");
  ::unsetenv("AZURE_STORAGE_CONNECTION_STRING");
  ASSERT_TRUE(store) << store.error().message();
  EXPECT_EQ((*store)->Location(), "azure://devstoreaccount1/" + container + "/prefix");
  EXPECT_EQ(*(*store)->Get("config"), ToBytes("hello"));
  ASSERT_TRUE((*store)->Put("other", AsBytes("tiered")));
  EXPECT_EQ(*first->Get("prefix/other"), ToBytes("tiered"));
}

}  // namespace
}  // namespace arkiv::storage

namespace arkiv::storage {
namespace {

// A server that answers every request with 503 ServerBusy.
constexpr const char* kBusyServer = R"(
import http.server, sys
class Busy(http.server.BaseHTTPRequestHandler):
    def answer(self):
        body = b'<?xml version="1.0" encoding="utf-8"?><Error><Code>ServerBusy</Code><Message>busy</Message></Error>'
        self.send_response(503)
        self.send_header("x-ms-error-code", "ServerBusy")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
    do_GET = do_PUT = do_HEAD = do_DELETE = answer
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Busy).serve_forever()
)";

TEST(AzureStoreTest, ServerErrorsAreUnavailable) {
  auto server = testing::StartPythonServerFromSource(kBusyServer);
  ASSERT_TRUE(server) << server.error().message();
  int port = (*server)->port();
  AzureConfig config;
  config.account = "devstoreaccount1";
  config.container = "busy";
  config.endpoint = "http://127.0.0.1:" + std::to_string(port) + "/devstoreaccount1";
  config.key = std::string(testing::kAzuriteKey);
  AzureStore store(config, {});
  EXPECT_EQ(CodeOf(store.Put("a", AsBytes("x"))), Code::kUnavailable);
  EXPECT_EQ(CodeOf(store.Get("a")), Code::kUnavailable);
  EXPECT_EQ(CodeOf(store.Get("a", 1, 2)), Code::kUnavailable);
  EXPECT_EQ(CodeOf(store.Stat("a")), Code::kUnavailable);
  EXPECT_EQ(CodeOf(store.Remove("a")), Code::kUnavailable);
  auto listed = store.List("", [](const ObjectInfo&) { return OkStatus(); });
  ASSERT_FALSE(listed);
  EXPECT_EQ(listed.error().code(), Code::kUnavailable);
  EXPECT_TRUE(listed.error().retryable());
  EXPECT_NE(listed.error().message().find("ServerBusy"), std::string::npos) << listed.error().message();
}

}  // namespace
}  // namespace arkiv::storage
