// A store in a directory of an SFTP server:
//   sftp://[user@]host[:port]/absolute/path[?key=FILE&known_hosts=FILE&timeout=SECONDS]
//
// Each object is a file under the root; '/' in names makes subdirectories,
// created as needed. Put writes ".arkiv-tmp-*" beside the target, fsyncs it
// where the server offers fsync@openssh.com, and renames it into place:
// kCreateOnly with the plain SFTP rename, which OpenSSH refuses atomically
// when the target exists; kReplace with posix-rename@openssh.com, which
// replaces the target atomically. (A server without that extension gets
// remove-then-rename, which is not atomic for readers.) Temporary files are
// never listed; those a lost connection leaves behind stay until deleted.
// Like LocalStore, Remove leaves empty directories behind, a Put whose name
// is such an empty directory removes it first, and a name that is a
// directory of other objects is kFailedPrecondition.
//
// Connection, host key checking and authentication: see ssh_session.h. Up
// to four SSH sessions are opened on demand and shared by the calling
// threads; a lost connection is kUnavailable and the next call reconnects.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "storage/backends/sftp_url.h"
#include "storage/backends/ssh_session.h"
#include "storage/backends/ssh_session_pool.h"
#include "storage/store.h"

namespace arkiv::storage {

class SftpStore : public Store {
 public:
  static constexpr size_t kMaxSessions = 4;

  // Connects lazily: errors appear at the first call.
  explicit SftpStore(SftpLocation location, size_t max_sessions = kMaxSessions);

  std::string Location() const override;
  Status Put(std::string_view name, ByteView data, PutMode mode = PutMode::kReplace) override;
  Result<Bytes> Get(std::string_view name, uint64_t offset = 0, uint64_t length = kToEnd) override;
  Result<ObjectInfo> Stat(std::string_view name) override;
  Status List(std::string_view prefix, const std::function<Status(const ObjectInfo&)>& fn) override;
  Status Remove(std::string_view name) override;

 private:
  std::string PathOf(std::string_view name) const;
  Result<SshSessionPool::Lease> Session();
  // Creates `dir` and its missing parents.
  Status MakeDirectories(SshSession& session, const std::string& dir) const;
  // Writes `data` to a new temporary file in `dir`; returns its path.
  Result<std::string> WriteTemporary(SshSession& session, const std::string& dir, ByteView data) const;
  // Moves the temporary file to `path` (kCreateOnly: kAlreadyExists if taken).
  Status Publish(SshSession& session, const std::string& temp, const std::string& path, PutMode mode) const;
  Status ReadRange(SshSession& session, const std::string& path, std::string_view name, uint64_t offset,
                   uint64_t length, Bytes& out) const;
  Status ListDirectory(SshSession& session, const std::string& dir, const std::string& name_prefix,
                       std::string_view prefix, std::vector<ObjectInfo>& out) const;

  const SftpLocation location_;
  SshSessionPool pool_;
};

}  // namespace arkiv::storage
