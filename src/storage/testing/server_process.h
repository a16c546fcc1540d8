// Starts and stops a real server process for integration tests (Azurite,
// moto, s3rver, sshd), on 127.0.0.1 only.
//
// The process is started in its own process group so that stopping it also
// stops the children it forked; Start() returns once the port accepts TCP
// connections. Output goes to a log file whose tail is shown when the start
// fails.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace arkiv::storage::testing {

class ServerProcess {
 public:
  struct Options {
    std::vector<std::string> argv;
    std::vector<std::string> env;  // "NAME=value" added to the environment
    int port = 0;                  // waits until 127.0.0.1:port accepts
    std::string log_path;          // default: a temp file
    std::chrono::seconds timeout{60};
  };

  static Result<std::unique_ptr<ServerProcess>> Start(Options options);
  ~ServerProcess();  // Stop()

  void Stop();    // SIGTERM to the group, SIGKILL after 5 s
  void Pause();   // SIGSTOP: the server hangs (connections accepted by the kernel, never answered)
  void Resume();  // SIGCONT
  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  std::string LogTail() const;

 private:
  ServerProcess(pid_t pid, int port, std::string log_path) : pid_(pid), port_(port), log_path_(std::move(log_path)) {}

  pid_t pid_;
  int port_;
  std::string log_path_;
};

// Runs the Python script at `script_path` with /usr/bin/python3 as a server:
// its first argument is a free port on 127.0.0.1 (port() of the result),
// then `args`. Returns once the port accepts connections.
Result<std::unique_ptr<ServerProcess>> StartPythonServer(const std::string& script_path,
                                                         const std::vector<std::string>& args = {});
// The same for a script given as its source text.
Result<std::unique_ptr<ServerProcess>> StartPythonServerFromSource(std::string_view source,
                                                                   const std::vector<std::string>& args = {});

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort();
// The source tree (for tests/servers/node_modules etc.).
std::string SourceDir();
// True when 127.0.0.1:port accepts a TCP connection.
bool PortOpen(int port);

}  // namespace arkiv::storage::testing
