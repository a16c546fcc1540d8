#include "storage/backends/ssh_watchdog.h"

#include <sys/socket.h>

#include <thread>

namespace arkiv::storage {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

constexpr std::chrono::milliseconds kCheckEvery{200};

}  // namespace

void WatchedSocket::Arm(std::chrono::milliseconds budget) {
  deadline_ms = NowMs() + budget.count();
}

SshWatchdog& SshWatchdog::Global() {
  // Never destroyed: sessions in static objects may outlive any destructor.
  static SshWatchdog* watchdog = new SshWatchdog();
  return *watchdog;
}

SshWatchdog::SshWatchdog() {
  std::thread([this] { Run(); }).detach();
}

void SshWatchdog::Add(WatchedSocket* socket) {
  std::lock_guard lock(mutex_);
  sockets_.insert(socket);
  changed_.notify_one();
}

void SshWatchdog::Remove(WatchedSocket* socket) {
  std::lock_guard lock(mutex_);
  sockets_.erase(socket);
}

void SshWatchdog::Run() {
  std::unique_lock lock(mutex_);
  while (true) {
    if (sockets_.empty()) {
      changed_.wait(lock);
      continue;
    }
    changed_.wait_for(lock, kCheckEvery);
    int64_t now = NowMs();
    for (WatchedSocket* socket : sockets_) {
      int64_t deadline = socket->deadline_ms;
      if (deadline == 0 || now < deadline || socket->cut) continue;
      socket->cut = true;
      ::shutdown(socket->fd, SHUT_RDWR);  // wakes libssh's poll with an end of stream
    }
  }
}

}  // namespace arkiv::storage
