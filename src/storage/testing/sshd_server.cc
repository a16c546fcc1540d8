#include "storage/testing/sshd_server.h"

#include <dirent.h>
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "storage/testing/conformance.h"

namespace arkiv::storage::testing {
namespace {

constexpr const char* kSshd = "/usr/sbin/sshd";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every process below `root` in the process tree.
std::vector<pid_t> Descendants(pid_t root) {
  std::multimap<pid_t, pid_t> children;
  if (DIR* proc = ::opendir("/proc")) {
    while (dirent* e = ::readdir(proc)) {
      std::string_view name(e->d_name);
      pid_t pid = 0;
      auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), pid);
      if (error != std::errc() || end != name.data() + name.size() || pid <= 0) continue;  // not a process
      std::string stat = ReadFile(fmt::format("/proc/{}/stat", pid));
      size_t paren = stat.rfind(')');  // the command name may hold spaces
      if (paren == std::string::npos) continue;
      std::istringstream fields(stat.substr(paren + 2));
      char state = 0;
      pid_t parent = 0;
      fields >> state >> parent;
      children.emplace(parent, pid);
    }
    ::closedir(proc);
  }
  std::vector<pid_t> out;
  std::vector<pid_t> todo{root};
  while (!todo.empty()) {
    pid_t pid = todo.back();
    todo.pop_back();
    auto [begin, end] = children.equal_range(pid);
    for (auto it = begin; it != end; ++it) {
      out.push_back(it->second);
      todo.push_back(it->second);
    }
  }
  return out;
}

}  // namespace

Status RunCommand(const std::string& command) {
  // NOLINTNEXTLINE(cert-env33-c): the test harness's own fixed commands (mkdir, ssh-keygen, cp).
  int rc = std::system(command.c_str());
  if (rc != 0) return Fail(Code::kInternal, fmt::format("`{}` failed with status {}", command, rc));
  return OkStatus();
}

bool SshdServer::Available() {
  return ::geteuid() == 0 && ::access(kSshd, X_OK) == 0;
}

SshdServer::SshdServer(std::string dir, int port)
    : dir_(std::move(dir)), client_key_(dir_ + "/client"), known_hosts_(dir_ + "/known_hosts"), port_(port) {}

SshdServer::~SshdServer() {
  Stop();
}

Result<std::unique_ptr<SshdServer>> SshdServer::Start() {
  if (!Available()) return Fail(Code::kUnavailable, "sshd tests need root and /usr/sbin/sshd");
  std::string dir = MakeTempDir("sshd");
  if (dir.empty()) return Fail(Code::kInternal, "cannot make a temporary directory");
  auto server = std::unique_ptr<SshdServer>(new SshdServer(dir, FreePort()));
  RETURN_IF_ERROR(RunCommand("mkdir -p /run/sshd"));
  for (const char* key : {"host", "client"}) {
    RETURN_IF_ERROR(RunCommand(fmt::format("ssh-keygen -q -t ed25519 -N '' -C arkiv-test -f {}/{}", dir, key)));
  }
  RETURN_IF_ERROR(RunCommand(fmt::format("cp {0}/client.pub {0}/authorized_keys", dir)));
  std::ofstream config(dir + "/sshd_config");
  config << "ListenAddress 127.0.0.1\n"
         << "Port " << server->port_ << "\n"
         << "HostKey " << dir << "/host\n"
         << "AuthorizedKeysFile " << dir << "/authorized_keys\n"
         << "PidFile " << dir << "/sshd.pid\n"
         << "AuthenticationMethods publickey\n"
         << "PubkeyAuthentication yes\n"
         << "PasswordAuthentication no\n"
         << "KbdInteractiveAuthentication no\n"
         << "UsePAM no\n"
         << "PermitRootLogin prohibit-password\n"
         << "StrictModes no\n"
         << "MaxStartups 100\n"
         << "MaxSessions 100\n"
         << "Subsystem sftp internal-sftp\n"
         << "ForceCommand internal-sftp\n";
  config.close();
  // "ssh-ed25519 AAAA… comment" -> "[127.0.0.1]:PORT ssh-ed25519 AAAA…"
  std::istringstream host_key(ReadFile(dir + "/host.pub"));
  std::string type, blob;
  host_key >> type >> blob;
  std::ofstream(server->known_hosts_) << fmt::format("[127.0.0.1]:{} {} {}\n", server->port_, type, blob);
  RETURN_IF_ERROR(server->Restart());
  return server;
}

Status SshdServer::Restart() {
  Stop();
  ServerProcess::Options options;
  options.argv = {kSshd, "-D", "-e", "-f", dir_ + "/sshd_config"};
  options.port = port_;
  options.log_path = dir_ + "/sshd.log";
  options.timeout = std::chrono::seconds(20);
  ASSIGN_OR_RETURN(process_, ServerProcess::Start(std::move(options)));
  return OkStatus();
}

std::string SshdServer::Url(const std::string& root) const {
  return fmt::format("sftp://root@127.0.0.1:{}{}?key={}&known_hosts={}", port_, root, client_key_, known_hosts_);
}

void SshdServer::Pause() {
  if (!process_) return;
  process_->Pause();
  for (pid_t pid : Descendants(process_->pid())) ::kill(pid, SIGSTOP);
}

void SshdServer::Resume() {
  if (!process_) return;
  for (pid_t pid : Descendants(process_->pid())) ::kill(pid, SIGCONT);
  process_->Resume();
}

void SshdServer::Stop() {
  if (!process_) return;
  for (pid_t pid : Descendants(process_->pid())) ::kill(pid, SIGKILL);
  process_->Stop();
  process_.reset();
}

}  // namespace arkiv::storage::testing
