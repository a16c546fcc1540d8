#include "engine/directory_names.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "core/posix_error.h"

namespace arkiv::engine {

Result<DirectoryNames> DirectoryNames::Read(int dir_fd, const std::string& path) {
  // fdopendir takes the descriptor it is given: a duplicate, so that the
  // caller's stays open.
  int copy = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return FailErrno(errno, "open directory " + path);
  DIR* dir = ::fdopendir(copy);
  if (dir == nullptr) {
    int fdopen_errno = errno;
    ::close(copy);
    return FailErrno(fdopen_errno, "open directory " + path);
  }
  DirectoryNames names;
  errno = 0;
  while (dirent* e = ::readdir(dir)) {
    std::string_view n = e->d_name;
    if (n == "." || n == "..") continue;
    names.offsets_.push_back(names.buffer_.size());
    names.buffer_.append(n);
    names.buffer_.push_back('\0');  // names never hold NUL
  }
  int read_errno = errno;
  ::closedir(dir);
  if (read_errno != 0) return FailErrno(read_errno, "read directory " + path);
  const std::string& buffer = names.buffer_;
  std::sort(names.offsets_.begin(), names.offsets_.end(), [&](size_t a, size_t b) {
    return std::string_view(buffer.data() + a) < std::string_view(buffer.data() + b);
  });
  names.buffer_.shrink_to_fit();
  names.offsets_.shrink_to_fit();
  return names;
}

}  // namespace arkiv::engine
