// One authenticated SSH connection with an SFTP channel on it (libssh).
//
// Connect() opens the TCP connection, verifies the server's host key against
// a known_hosts file, authenticates with a public key and starts SFTP. Host
// key verification is never skipped: a host that is missing from known_hosts
// or whose key changed is kPermissionDenied with a message that names the
// host and says what to do. Authentication tries, in order, the key file
// given (and only it), or else the ssh agent (SSH_AUTH_SOCK) and the usual
// ~/.ssh/id_ed25519, id_ecdsa and id_rsa. Rejected credentials are
// kPermissionDenied; a host that cannot be reached, a connection that is
// lost and a server that does not answer within the timeout are kUnavailable
// (ssh_watchdog.h enforces the timeout where libssh would wait forever).
// ~/.ssh/config and the system-wide known_hosts are not read.
//
// Thread safety: an SshSession is used by one thread at a time.
#pragma once

#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <libssh/sftp.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "storage/backends/ssh_watchdog.h"

namespace arkiv::storage {

struct SshEndpoint {
  std::string host;
  int port = 22;
  std::string user;              // empty: the local user name
  std::string key_file;          // empty: agent and default identities
  std::string known_hosts_file;  // empty: ~/.ssh/known_hosts
  int timeout_seconds = 30;      // connect and every wait for the server
};

class SshSession {
 public:
  static Result<std::unique_ptr<SshSession>> Connect(const SshEndpoint& endpoint);
  ~SshSession();
  SshSession(const SshSession&) = delete;
  SshSession& operator=(const SshSession&) = delete;

  sftp_session sftp() const { return sftp_; }
  // False once the connection or the SFTP channel is gone; such a session
  // must be dropped, not reused.
  bool Healthy() const;
  // The error of the last failed sftp_* call on this session: the SFTP status
  // mapped to a code (kNotFound, kPermissionDenied, ...), or kUnavailable when
  // the connection failed (which also marks the session broken). `what` names
  // the operation and path.
  Error LastError(std::string_view what) const;
  // The last SFTP status code (SSH_FX_*), 0 when the failure was not one.
  int LastSftpStatus() const;
  // Call before each request to the server: forgets the status of an earlier
  // call, so that LastError() cannot report a stale one, and gives the
  // server the timeout to answer before the watchdog cuts the connection.
  void BeginCall();
  // Between calls: the session may idle as long as it likes.
  void EndCalls() { watched_.Disarm(); }
  // The session is out of step with the server (a timeout mid-reply).
  void MarkBroken() { broken_ = true; }
  int timeout_ms() const { return timeout_seconds_ * 1000; }

 private:
  SshSession(ssh_session ssh, int timeout_seconds) : ssh_(ssh), timeout_seconds_(timeout_seconds) {}
  Status VerifyHostKey(const SshEndpoint& endpoint);
  Status Authenticate(const SshEndpoint& endpoint);

  ssh_session ssh_;
  sftp_session sftp_ = nullptr;
  int timeout_seconds_;
  mutable bool broken_ = false;
  WatchedSocket watched_;
  bool watching_ = false;
  ssh_callbacks_struct callbacks_{};
};

}  // namespace arkiv::storage
