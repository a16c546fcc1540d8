// The OpenSSH "posix-rename@openssh.com" SFTP extension, which libssh 0.10
// does not offer: rename(2) on the server, replacing the target atomically.
// (Plain SFTP v3 rename refuses an existing target, and remove-then-rename
// would let a reader see no object in between.)
#pragma once

#include <string>

#include "core/status.h"
#include "storage/backends/ssh_session.h"

namespace arkiv::storage {

// True when the server announced the extension.
bool SupportsPosixRename(SshSession& session);

// Renames `from` to `to`, replacing `to` if it exists. On an SFTP status
// other than OK, the session's LastError() describes it; a lost connection or
// a timeout is kUnavailable and marks the session broken.
// REQUIRES: no other request is outstanding on the session (the reply is
// read straight from the channel).
Status PosixRename(SshSession& session, const std::string& from, const std::string& to);

}  // namespace arkiv::storage
