// Cuts SSH connections whose current call has waited too long for the server.
//
// libssh 0.10 waits again, without end, when a wait for an SFTP reply times
// out, so a server that hangs (accepts, never answers) would hang the caller.
// A session arms its WatchedSocket before each call; when the deadline
// passes, the watchdog shuts the socket down, libssh's wait fails at once,
// and the session reports kUnavailable and is dropped.
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>

namespace arkiv::storage {

struct WatchedSocket {
  int fd = -1;
  std::atomic<int64_t> deadline_ms{0};  // steady clock; 0: no call in progress
  std::atomic<bool> cut{false};         // the watchdog shut the socket down

  void Arm(std::chrono::milliseconds budget);
  void Disarm() { deadline_ms = 0; }
};

class SshWatchdog {
 public:
  // The one watchdog of the process; it lives until the process exits.
  static SshWatchdog& Global();

  // `socket` must stay valid until Remove(socket) returns.
  void Add(WatchedSocket* socket);
  void Remove(WatchedSocket* socket);

 private:
  SshWatchdog();
  void Run();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::set<WatchedSocket*> sockets_;  // guarded by mutex_
};

}  // namespace arkiv::storage
