#include "storage/testing/moto_server.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "core/hex.h"
#include "crypto/random.h"
#include "storage/testing/server_process.h"

namespace arkiv::storage::testing {
namespace {

std::string StateDir() {
  const char* base = std::getenv("TEST_TMPDIR");
  return fmt::format("{}/arkiv-moto-{}", base ? base : "/tmp", ::getuid());
}

int ReadPort(const std::string& path) {
  std::ifstream in(path);
  int port = 0;
  in >> port;
  return port;
}

// Starts the script detached: it outlives this program, owns no descriptor
// of it (ctest waits for the test's output pipe to close) and is reaped by
// init. Returns false when fork fails.
bool StartDetached(const std::string& state_dir, int port, const std::string& log) {
  pid_t pid = ::fork();
  if (pid < 0) return false;
  if (pid > 0) return true;
  ::setsid();
  int null = ::open("/dev/null", O_RDONLY);
  int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ::dup2(null, STDIN_FILENO);
  ::dup2(out, STDOUT_FILENO);
  ::dup2(out, STDERR_FILENO);
  ::close_range(3, ~0U, 0);
  std::string script = SourceDir() + "/tests/servers/moto_shared.py";
  std::string port_text = std::to_string(port);
  ::execlp("python3", "python3", script.c_str(), state_dir.c_str(), port_text.c_str(), nullptr);
  ::_exit(127);
}

Result<int> AttachOrStart() {
  std::string dir = StateDir();
  ::mkdir(dir.c_str(), 0700);
  int start_fd = ::open((dir + "/start.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  // Held shared until this program exits: the server stays while it is held.
  int users_fd = ::open((dir + "/users.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (start_fd < 0 || users_fd < 0) return Fail(Code::kUnavailable, "cannot open the lock files in " + dir);
  ::flock(start_fd, LOCK_EX);
  ::flock(users_fd, LOCK_SH);
  int port = ReadPort(dir + "/port");
  std::string log = std::getenv("ARKIV_MOTO_LOG") ? std::getenv("ARKIV_MOTO_LOG") : dir + "/moto.log";
  if (port <= 0 || !PortOpen(port)) {
    port = FreePort();
    if (!StartDetached(dir, port, log)) {
      ::close(start_fd);
      return Fail(Code::kUnavailable, "fork failed");
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!PortOpen(port) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!PortOpen(port)) {
      ::close(start_fd);
      return Fail(Code::kUnavailable,
                  fmt::format("moto did not listen on 127.0.0.1:{} within 60 s; see {}", port, log));
    }
    std::ofstream(dir + "/port") << port << "\n";
  }
  ::close(start_fd);
  return port;
}

}  // namespace

Result<MotoServer*> MotoServer::Shared() {
  static std::mutex mutex;
  static std::unique_ptr<MotoServer> server;
  static std::optional<Error> failure;
  std::lock_guard lock(mutex);
  if (server) return server.get();
  if (failure) return Fail(*failure);
  auto port = AttachOrStart();
  if (!port) {
    failure = port.error().Context("starting moto");
    return Fail(*failure);
  }
  server.reset(new MotoServer(*port));
  return server.get();
}

std::string UniqueBucketName() {
  static const std::string base = fmt::format("arkiv-{}-{}", ::getpid(), HexEncode(crypto::RandomBytes(4)));
  static std::atomic<int> counter{0};
  return base + "-" + std::to_string(++counter);
}

}  // namespace arkiv::storage::testing
