#include "storage/testing/fault_proxy.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <charconv>
#include <map>
#include <sstream>

#include "core/unique_fd.h"

namespace arkiv::storage::testing {
namespace {

Result<UniqueFd> ConnectLoopback(int port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM, 0));
  if (fd.get() < 0) return Fail(Code::kInternal, "socket failed");
  // A proxy that stopped answering must not hang the test.
  timeval timeout{10, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    return Fail(Code::kUnavailable, fmt::format("fault proxy control port {} refused the connection", port));
  }
  return fd;
}

Status StatusOf(const Result<std::string>& reply) {
  if (!reply) return Fail(reply.error());
  return OkStatus();
}

}  // namespace

Result<std::unique_ptr<FaultProxy>> FaultProxy::Start(int target_port, std::string target_host) {
  int port = FreePort();
  int control_port = FreePort();
  if (port == 0 || control_port == 0 || port == control_port) {
    return Fail(Code::kUnavailable, "no free ports for the fault proxy");
  }
  ServerProcess::Options options;
  options.argv = {"python3",
                  SourceDir() + "/tests/servers/fault_proxy.py",
                  "--target",
                  fmt::format("{}:{}", target_host, target_port),
                  "--port",
                  std::to_string(port),
                  "--control-port",
                  std::to_string(control_port)};
  options.port = port;  // the control port listens before it
  options.timeout = std::chrono::seconds(20);
  auto process = ServerProcess::Start(std::move(options));
  if (!process) return Fail(process.error().Context("starting the fault proxy"));
  return std::unique_ptr<FaultProxy>(new FaultProxy(std::move(*process), control_port));
}

Result<std::string> FaultProxy::Command(std::string_view line) {
  ASSIGN_OR_RETURN(UniqueFd fd, ConnectLoopback(control_port_));
  std::string request = std::string(line) + "\n";
  if (::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
    return Fail(Code::kUnavailable, "cannot send to the fault proxy");
  }
  std::string reply;
  char c;
  while (::recv(fd.get(), &c, 1, 0) == 1 && c != '\n') reply.push_back(c);
  if (reply == "ok") return std::string();
  if (reply.starts_with("ok ")) return reply.substr(3);
  return Fail(Code::kInvalidArgument, fmt::format("fault proxy: '{}': {}", line, reply.empty() ? "no reply" : reply));
}

Status FaultProxy::SetLatency(std::chrono::milliseconds one_way) {
  return StatusOf(Command(fmt::format("latency {}", one_way.count())));
}

Status FaultProxy::SetBandwidth(uint64_t bytes_per_second) {
  return StatusOf(Command(fmt::format("bandwidth {}", bytes_per_second)));
}

Status FaultProxy::ResetAfter(uint64_t bytes, int connections) {
  return StatusOf(Command(fmt::format("reset_after {} {}", bytes, connections)));
}

Status FaultProxy::Blackhole() { return StatusOf(Command("blackhole")); }

Status FaultProxy::SlowDown(int requests) { return StatusOf(Command(fmt::format("slowdown {}", requests))); }

Status FaultProxy::Clear() { return StatusOf(Command("clear")); }

Result<FaultProxy::Stats> FaultProxy::GetStats() {
  ASSIGN_OR_RETURN(std::string line, Command("stats"));
  std::map<std::string, uint64_t, std::less<>> values;
  std::istringstream words(line);
  for (std::string word; words >> word;) {
    size_t equals = word.find('=');
    if (equals == std::string::npos) continue;
    uint64_t value = 0;
    std::from_chars(word.data() + equals + 1, word.data() + word.size(), value);
    values[word.substr(0, equals)] = value;
  }
  auto get = [&](std::string_view name) -> Result<uint64_t> {
    auto it = values.find(name);
    if (it == values.end()) return Fail(Code::kDataLoss, fmt::format("fault proxy stats lack {}: '{}'", name, line));
    return it->second;
  };
  Stats stats;
  ASSIGN_OR_RETURN(stats.connections, get("connections"));
  ASSIGN_OR_RETURN(stats.requests, get("requests"));
  ASSIGN_OR_RETURN(stats.slowdowns, get("slowdowns"));
  ASSIGN_OR_RETURN(stats.resets, get("resets"));
  ASSIGN_OR_RETURN(stats.blackholed, get("blackholed"));
  ASSIGN_OR_RETURN(stats.bytes_up, get("bytes_up"));
  ASSIGN_OR_RETURN(stats.bytes_down, get("bytes_down"));
  return stats;
}

}  // namespace arkiv::storage::testing
