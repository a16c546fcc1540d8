#include "storage/testing/server_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "storage/testing/conformance.h"

namespace arkiv::storage::testing {

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    if (fd >= 0) ::close(fd);
    return 0;
  }
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool PortOpen(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

std::string SourceDir() {
  if (const char* env = std::getenv("ARKIV_SOURCE_DIR")) return env;
  return ARKIV_SOURCE_DIR;
}

Result<std::unique_ptr<ServerProcess>> ServerProcess::Start(Options options) {
  if (options.argv.empty()) return Fail(Code::kInvalidArgument, "no command");
  if (options.log_path.empty()) options.log_path = MakeTempDir("server-log") + "/server.log";
  // The test process has threads, so the child may only make
  // async-signal-safe calls until exec (another thread may have held the
  // malloc lock at the fork): everything it needs is built here.
  std::vector<char*> args;
  for (auto& a : options.argv) args.push_back(a.data());
  args.push_back(nullptr);
  std::vector<char*> environment;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    std::string_view name = entry.substr(0, entry.find('=') + 1);
    bool replaced = std::any_of(options.env.begin(), options.env.end(),
                                [&](const std::string& given) { return given.starts_with(name); });
    if (!replaced) environment.push_back(*e);
  }
  for (auto& e : options.env) environment.push_back(e.data());
  environment.push_back(nullptr);
  std::string exec_failed = fmt::format("exec {} failed\n", options.argv[0]);
  pid_t pid = ::fork();
  if (pid < 0) return Fail(Code::kInternal, "fork failed");
  if (pid == 0) {
    ::setpgid(0, 0);
    int log = ::open(options.log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (log >= 0) {
      ::dup2(log, STDOUT_FILENO);
      ::dup2(log, STDERR_FILENO);
    }
    int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, STDIN_FILENO);
    ::execvpe(args[0], args.data(), environment.data());
    [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, exec_failed.data(), exec_failed.size());
    ::_exit(127);
  }
  auto server = std::unique_ptr<ServerProcess>(new ServerProcess(pid, options.port, options.log_path));
  auto deadline = std::chrono::steady_clock::now() + options.timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (options.port == 0 || PortOpen(options.port)) return server;
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      server->pid_ = -1;
      return Fail(Code::kUnavailable, fmt::format("{} exited before listening:\n{}", options.argv[0], server->LogTail()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::string tail = server->LogTail();
  server->Stop();
  return Fail(Code::kUnavailable,
              fmt::format("{} did not listen on 127.0.0.1:{} within {}s:\n{}", options.argv[0], options.port,
                          options.timeout.count(), tail));
}

ServerProcess::~ServerProcess() { Stop(); }

void ServerProcess::Stop() {
  if (pid_ <= 0) return;
  ::kill(-pid_, SIGCONT);
  ::kill(-pid_, SIGTERM);
  for (int i = 0; i < 50; ++i) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      ::kill(-pid_, SIGKILL);  // stray children of the group
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ::kill(-pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void ServerProcess::Pause() {
  if (pid_ > 0) ::kill(-pid_, SIGSTOP);
}

void ServerProcess::Resume() {
  if (pid_ > 0) ::kill(-pid_, SIGCONT);
}

std::string ServerProcess::LogTail() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string all = ss.str();
  return all.size() > 4000 ? all.substr(all.size() - 4000) : all;
}

Result<std::unique_ptr<ServerProcess>> StartPythonServer(const std::string& script_path,
                                                         const std::vector<std::string>& args) {
  int port = FreePort();
  ServerProcess::Options options;
  options.argv = {"/usr/bin/python3", script_path, std::to_string(port)};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.port = port;
  return ServerProcess::Start(std::move(options));
}

Result<std::unique_ptr<ServerProcess>> StartPythonServerFromSource(std::string_view source,
                                                                   const std::vector<std::string>& args) {
  std::string path = MakeTempDir("python-server") + "/server.py";
  std::ofstream(path) << source;
  return StartPythonServer(path, args);
}

}  // namespace arkiv::storage::testing
