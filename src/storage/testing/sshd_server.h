// An OpenSSH sshd on 127.0.0.1 serving SFTP, for the SftpStore tests.
//
// Start() makes throwaway ed25519 host and client keys in a fresh temporary
// directory, writes an sshd_config that allows only public-key logins with
// the client key and forces internal-sftp, writes a known_hosts file with the
// host key, and runs `sshd -D -e` through ServerProcess. Needs root (sshd
// refuses otherwise) and /usr/sbin/sshd; Available() says whether both hold.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "storage/testing/server_process.h"

namespace arkiv::storage::testing {

class SshdServer {
 public:
  static bool Available();
  static Result<std::unique_ptr<SshdServer>> Start();
  ~SshdServer();

  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  const std::string& client_key() const { return client_key_; }
  const std::string& known_hosts() const { return known_hosts_; }
  // sftp://root@127.0.0.1:PORT<root>?key=<client key>&known_hosts=<file>
  std::string Url(const std::string& root) const;

  // Stops the listener and kills the connections it serves (which sshd
  // runs in sessions of their own, out of reach of the listener's group).
  void Stop();
  // SIGSTOP / SIGCONT to the listener and every connection: a hung server.
  void Pause();
  void Resume();
  // Starts sshd again on the same port with the same keys.
  Status Restart();
  ServerProcess* process() { return process_.get(); }

 private:
  explicit SshdServer(std::string dir, int port);

  std::string dir_;
  std::string client_key_;
  std::string known_hosts_;
  int port_;
  std::unique_ptr<ServerProcess> process_;
};

// Runs `command` with /bin/sh; kInternal with the exit status if it fails.
Status RunCommand(const std::string& command);

}  // namespace arkiv::storage::testing
