#include "engine/sparse_write.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/posix_error.h"

namespace arkiv::engine {
namespace {

bool AllZero(ByteView data) {
  // Word-at-a-time scan: this runs over every restored byte.
  size_t i = 0;
  for (; i + 8 <= data.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, data.data() + i, 8);
    if (w != 0) return false;
  }
  for (; i < data.size(); ++i) {
    if (data[i] != 0) return false;
  }
  return true;
}

}  // namespace

Status WriteSparse(int fd, ByteView data, uint64_t offset, const std::string& path) {
  constexpr size_t kBlock = size_t{64} * 1024;
  size_t pos = 0;
  while (pos < data.size()) {
    size_t end = std::min(data.size(), pos + kBlock);
    if (AllZero(data.subspan(pos, end - pos))) {
      pos = end;
      continue;
    }
    // Extend the run over the following non-zero blocks: fewer syscalls.
    while (end < data.size()) {
      size_t next = std::min(data.size(), end + kBlock);
      if (AllZero(data.subspan(end, next - end))) break;
      end = next;
    }
    while (pos < end) {
      ssize_t n = ::pwrite(fd, data.data() + pos, end - pos, static_cast<off_t>(offset + pos));
      if (n < 0) {
        if (errno == EINTR) continue;
        return FailErrno(errno, "write " + path);
      }
      pos += static_cast<size_t>(n);
    }
  }
  return OkStatus();
}

}  // namespace arkiv::engine
