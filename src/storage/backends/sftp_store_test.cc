#include "storage/backends/sftp_store.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/status_test_util.h"
#include "storage/backends/sftp_url.h"
#include "storage/open_store.h"
#include "storage/testing/conformance.h"
#include "storage/testing/sshd_server.h"

namespace arkiv::storage {
namespace {

using testing::MakeTempDir;
using testing::Pattern;
using testing::SshdServer;

// One sshd for the whole program; nullptr where sshd cannot run here.
SshdServer* SharedServer() {
  static std::unique_ptr<SshdServer> server = [] {
    auto started = SshdServer::Start();
    if (!started) {
      ADD_FAILURE() << started.error().message();
      return std::unique_ptr<SshdServer>();
    }
    return std::move(*started);
  }();
  return server.get();
}

std::shared_ptr<SftpStore> StoreAt(const std::string& url) {
  auto location = ParseSftpUrl(url);
  EXPECT_TRUE(location) << location.error().message();
  if (!location) return nullptr;
  return std::make_shared<SftpStore>(std::move(*location));
}

std::shared_ptr<Store> FreshStore() {
  SshdServer* server = SharedServer();
  if (server == nullptr) return nullptr;
  return StoreAt(server->Url(MakeTempDir("sftp")));
}

std::string ReadLocalFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool IsEmptyDirectory(const std::string& dir) {
  return std::filesystem::is_empty(dir);
}

}  // namespace
}  // namespace arkiv::storage

ARKIV_STORE_CONFORMANCE(Sftp, arkiv::storage::FreshStore);

namespace arkiv::storage {
namespace {

class SftpStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!SshdServer::Available()) GTEST_SKIP() << "needs root and /usr/sbin/sshd";
    server_ = SharedServer();
    ASSERT_NE(server_, nullptr);
    root_ = MakeTempDir("sftp");
  }
  std::string UrlWith(const std::string& query) const {
    return fmt::format("sftp://root@127.0.0.1:{}{}?{}", server_->port(), root_, query);
  }

  SshdServer* server_ = nullptr;
  std::string root_;
};

TEST_F(SftpStoreTest, UnknownHostKeyIsPermissionDenied) {
  std::string empty = MakeTempDir("kh") + "/known_hosts";
  std::ofstream(empty).close();
  auto store = StoreAt(UrlWith(fmt::format("key={}&known_hosts={}", server_->client_key(), empty)));
  auto st = store->Put("data/x", AsBytes("secret"));
  ASSERT_FALSE(st);
  EXPECT_EQ(CodeOf(st), Code::kPermissionDenied);
  EXPECT_NE(st.error().message().find("[127.0.0.1]:" + std::to_string(server_->port())), std::string::npos)
      << st.error().message();
  EXPECT_NE(st.error().message().find("not in " + empty), std::string::npos) << st.error().message();
  EXPECT_EQ(CodeOf(store->Get("data/x")), Code::kPermissionDenied);
  EXPECT_TRUE(IsEmptyDirectory(root_));  // nothing was sent
}

TEST_F(SftpStoreTest, MissingKnownHostsFileIsPermissionDenied) {
  std::string missing = MakeTempDir("kh") + "/no_such_file";
  auto store = StoreAt(UrlWith(fmt::format("key={}&known_hosts={}", server_->client_key(), missing)));
  EXPECT_EQ(CodeOf(store->Put("data/x", AsBytes("secret"))), Code::kPermissionDenied);
  EXPECT_TRUE(IsEmptyDirectory(root_));
}

TEST_F(SftpStoreTest, ChangedHostKeyIsPermissionDenied) {
  std::string dir = MakeTempDir("kh");
  ASSERT_TRUE(testing::RunCommand(fmt::format("ssh-keygen -q -t ed25519 -N '' -f {}/other", dir)));
  std::istringstream other(ReadLocalFile(dir + "/other.pub"));
  std::string type, blob;
  other >> type >> blob;
  std::ofstream(dir + "/known_hosts") << fmt::format("[127.0.0.1]:{} {} {}\n", server_->port(), type, blob);
  auto store = StoreAt(UrlWith(fmt::format("key={}&known_hosts={}/known_hosts", server_->client_key(), dir)));
  auto st = store->Put("data/x", AsBytes("secret"));
  ASSERT_FALSE(st);
  EXPECT_EQ(CodeOf(st), Code::kPermissionDenied);
  EXPECT_NE(st.error().message().find("host key changed"), std::string::npos) << st.error().message();
  EXPECT_TRUE(IsEmptyDirectory(root_));
}

TEST_F(SftpStoreTest, WrongClientKeyIsPermissionDenied) {
  std::string dir = MakeTempDir("key");
  ASSERT_TRUE(testing::RunCommand(fmt::format("ssh-keygen -q -t ed25519 -N '' -f {}/stranger", dir)));
  auto store = StoreAt(UrlWith(fmt::format("key={}/stranger&known_hosts={}", dir, server_->known_hosts())));
  auto st = store->Put("data/x", AsBytes("x"));
  ASSERT_FALSE(st);
  EXPECT_EQ(CodeOf(st), Code::kPermissionDenied) << st.error().message();
  EXPECT_NE(st.error().message().find("refused"), std::string::npos) << st.error().message();
  EXPECT_EQ(CodeOf(store->Stat("data/x")), Code::kPermissionDenied);
  EXPECT_TRUE(IsEmptyDirectory(root_));
}

TEST_F(SftpStoreTest, MissingKeyFileIsPermissionDenied) {
  auto store = StoreAt(UrlWith(fmt::format("key=/nonexistent/key&known_hosts={}", server_->known_hosts())));
  EXPECT_EQ(CodeOf(store->Put("data/x", AsBytes("x"))), Code::kPermissionDenied);
}

// A backup runs unattended: a key with a passphrase is refused, not prompted for.
TEST_F(SftpStoreTest, KeyWithPassphraseIsPermissionDenied) {
  std::string dir = MakeTempDir("key");
  for (const char* format : {"", "-m PEM"}) {
    ASSERT_TRUE(testing::RunCommand(
        fmt::format("rm -f {0}/locked*; ssh-keygen -q -t ecdsa {1} -N 'secret words' -f {0}/locked", dir, format)));
    auto store = StoreAt(UrlWith(fmt::format("key={}/locked&known_hosts={}", dir, server_->known_hosts())));
    auto st = store->Put("data/x", AsBytes("x"));
    ASSERT_FALSE(st);
    EXPECT_EQ(CodeOf(st), Code::kPermissionDenied) << st.error().message();
    EXPECT_NE(st.error().message().find("passphrase"), std::string::npos) << st.error().message();
  }
}

TEST_F(SftpStoreTest, TemporaryFilesAreInvisible) {
  auto store = StoreAt(server_->Url(root_));
  ASSERT_TRUE(store->Put("data/aa/x", AsBytes("hello")));
  // A connection lost mid-put leaves a temporary file behind.
  std::ofstream(root_ + "/data/aa/.arkiv-tmp-dead") << "partial";
  EXPECT_EQ(testing::ListNames(*store, "data/"), std::multiset<std::string>{"data/aa/x"});
  // And a finished put leaves none.
  size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root_)) files += entry.is_regular_file();
  EXPECT_EQ(files, 2u);
}

TEST_F(SftpStoreTest, NameThatIsADirectoryOfObjectsIsAPreconditionFailure) {
  auto store = StoreAt(server_->Url(root_));
  ASSERT_TRUE(store->Put("a/b", AsBytes("deep")));
  EXPECT_EQ(CodeOf(store->Put("a", AsBytes("flat"))), Code::kFailedPrecondition);
  EXPECT_EQ(CodeOf(store->Put("a", AsBytes("flat"), PutMode::kCreateOnly)), Code::kFailedPrecondition);
  ASSERT_TRUE(store->Put("f", AsBytes("file")));
  EXPECT_EQ(CodeOf(store->Put("f/g", AsBytes("below"))), Code::kFailedPrecondition);
  EXPECT_EQ(*store->Get("a/b"), ToBytes("deep"));
  EXPECT_EQ(*store->Get("f"), ToBytes("file"));
}

TEST_F(SftpStoreTest, OpenStoreKnowsSftp) {
  auto store = OpenStore(server_->Url(root_));
  ASSERT_TRUE(store) << store.error().message();
  ASSERT_TRUE((*store)->Put("config", AsBytes("c"), PutMode::kCreateOnly));
  EXPECT_EQ(*(*store)->Get("config"), ToBytes("c"));
  EXPECT_EQ((*store)->Location(), fmt::format("sftp://root@127.0.0.1:{}{}", server_->port(), root_));
  EXPECT_EQ(CodeOf(OpenStore("sftp://host")), Code::kInvalidArgument);
}

// The OpenSSH sftp client reads what arkiv wrote, and the other way round.
TEST_F(SftpStoreTest, InteroperatesWithTheSftpClient) {
  auto store = StoreAt(server_->Url(root_));
  Bytes ours = Pattern(300000, 11);
  ASSERT_TRUE(store->Put("data/ab/ours", ours));
  std::string work = MakeTempDir("sftp-client");
  std::ofstream(work + "/theirs", std::ios::binary) << "written by the sftp client\n";
  std::ofstream(work + "/batch") << fmt::format("get {0}/data/ab/ours {1}/ours\nput {1}/theirs {0}/data/ab/theirs\n",
                                                root_, work);
  ASSERT_TRUE(testing::RunCommand(fmt::format(
      "sftp -q -b {0}/batch -i {1} -o UserKnownHostsFile={2} -o GlobalKnownHostsFile=/dev/null -o BatchMode=yes "
      "-o StrictHostKeyChecking=yes -P {3} root@127.0.0.1 >{0}/log 2>&1",
      work, server_->client_key(), server_->known_hosts(), server_->port())))
      << ReadLocalFile(work + "/log");
  std::string got = ReadLocalFile(work + "/ours");
  EXPECT_TRUE(Bytes(got.begin(), got.end()) == ours);
  auto theirs = store->Get("data/ab/theirs");
  ASSERT_TRUE(theirs) << theirs.error().message();
  EXPECT_EQ(AsString(*theirs), "written by the sftp client\n");
  EXPECT_EQ(testing::ListNames(*store, "data/ab/"), (std::multiset<std::string>{"data/ab/ours", "data/ab/theirs"}));
}

// A server that goes away is kUnavailable, quickly, and the store recovers
// once it is back.
TEST(SftpStoreFaultTest, KilledServerIsUnavailableThenReconnects) {
  if (!SshdServer::Available()) GTEST_SKIP() << "needs root and /usr/sbin/sshd";
  auto server = SshdServer::Start();
  ASSERT_TRUE(server) << server.error().message();
  std::string root = MakeTempDir("sftp");
  auto store = StoreAt((*server)->Url(root) + "&timeout=5");
  ASSERT_TRUE(store->Put("data/x", Pattern(1000, 1)));  // a live session in the pool
  (*server)->Stop();
  auto start = std::chrono::steady_clock::now();
  // Writing to the session whose server died: an error, not SIGPIPE.
  auto put = store->Put("data/y", Pattern(4 << 20, 2));
  ASSERT_FALSE(put);
  EXPECT_EQ(CodeOf(put), Code::kUnavailable) << put.error().message();
  auto got = store->Get("data/x");  // a new connection, refused
  ASSERT_FALSE(got);
  EXPECT_EQ(CodeOf(got), Code::kUnavailable) << got.error().message();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  ASSERT_TRUE((*server)->Restart());
  auto again = store->Get("data/x");
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(*again, Pattern(1000, 1));
}

// A server that hangs is kUnavailable after the timeout, not a hang.
TEST(SftpStoreFaultTest, HungServerTimesOut) {
  if (!SshdServer::Available()) GTEST_SKIP() << "needs root and /usr/sbin/sshd";
  auto server = SshdServer::Start();
  ASSERT_TRUE(server) << server.error().message();
  auto store = StoreAt((*server)->Url(MakeTempDir("sftp")) + "&timeout=2");
  ASSERT_TRUE(store->Put("data/x", Pattern(1000, 1)));
  (*server)->Pause();
  auto start = std::chrono::steady_clock::now();
  auto got = store->Get("data/x");
  auto elapsed = std::chrono::steady_clock::now() - start;
  // A new connection: the kernel accepts it, sshd never greets.
  auto fresh = StoreAt((*server)->Url(MakeTempDir("sftp")) + "&timeout=2");
  start = std::chrono::steady_clock::now();
  auto put = fresh->Put("data/y", Pattern(10, 1));
  auto connect_elapsed = std::chrono::steady_clock::now() - start;
  (*server)->Resume();
  ASSERT_FALSE(got);
  EXPECT_EQ(CodeOf(got), Code::kUnavailable) << got.error().message();
  EXPECT_LT(elapsed, std::chrono::seconds(10));
  ASSERT_FALSE(put);
  EXPECT_EQ(CodeOf(put), Code::kUnavailable) << put.error().message();
  EXPECT_LT(connect_elapsed, std::chrono::seconds(10));
  auto again = store->Get("data/x");  // a fresh session
  ASSERT_TRUE(again) << again.error().message();
}

TEST(SftpUrlTest, ParsesAllParts) {
  auto l = ParseSftpUrl("sftp://backup@example.org:2222/srv/repo/?key=/k/id&known_hosts=/k/kh%20x&timeout=7");
  ASSERT_TRUE(l) << l.error().message();
  EXPECT_EQ(l->endpoint.user, "backup");
  EXPECT_EQ(l->endpoint.host, "example.org");
  EXPECT_EQ(l->endpoint.port, 2222);
  EXPECT_EQ(l->endpoint.key_file, "/k/id");
  EXPECT_EQ(l->endpoint.known_hosts_file, "/k/kh x");
  EXPECT_EQ(l->endpoint.timeout_seconds, 7);
  EXPECT_EQ(l->root, "/srv/repo");
}

TEST(SftpUrlTest, Defaults) {
  auto l = ParseSftpUrl("sftp://host/r");
  ASSERT_TRUE(l);
  EXPECT_EQ(l->endpoint.user, "");
  EXPECT_EQ(l->endpoint.port, 22);
  EXPECT_EQ(l->endpoint.key_file, "");
  EXPECT_EQ(l->endpoint.known_hosts_file, "");
  EXPECT_EQ(l->root, "/r");
  auto v6 = ParseSftpUrl("sftp://u@[::1]:23/r");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->endpoint.host, "::1");
  EXPECT_EQ(v6->endpoint.port, 23);
}

TEST(SftpUrlTest, RejectsMalformed) {
  for (std::string_view bad :
       {"sftp://host", "sftp://host/", "sftp:///r", "sftp://host:0/r", "sftp://host:x/r", "sftp://host/r?known_host=/x",
        "sftp://host/r?key=", "sftp://host/r?timeout=-1", "sftp://host/%zz", "file:///r"}) {
    EXPECT_EQ(CodeOf(ParseSftpUrl(bad)), Code::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace arkiv::storage
