#include "storage/backends/local_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "core/hex.h"
#include "core/posix_error.h"
#include "core/unique_fd.h"
#include "crypto/random.h"

namespace arkiv::storage {
namespace {

// Inside the reserved name space, so no object name can collide with it.
constexpr std::string_view kTempPrefix = ".arkiv-tmp-";
static_assert(kTempPrefix.starts_with(kReservedNamePrefix));

Status WriteAll(int fd, ByteView data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return FailErrno(errno, "write " + path);
    }
    done += static_cast<size_t>(n);
  }
  return OkStatus();
}

Status SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return FailErrno(errno, "open directory " + dir);
  UniqueFd closer(fd);
  if (::fsync(fd) != 0 && errno != EINVAL) return FailErrno(errno, "fsync directory " + dir);
  return OkStatus();
}

std::string ParentOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}

Error DirectoryInTheWay() {
  return Error(Code::kFailedPrecondition, "the name is a directory of other objects");
}

bool IsDirectory(const std::string& path) {
  struct stat st{};
  return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

LocalStore::LocalStore(std::filesystem::path root) : root_(std::move(root)) {}

std::string LocalStore::Location() const { return "file://" + std::filesystem::absolute(root_).string(); }

std::string LocalStore::PathOf(std::string_view name) const { return (root_ / std::string(name)).string(); }

Status LocalStore::MakeParents(const std::string& path) const {
  std::error_code ec;
  std::filesystem::create_directories(ParentOf(path), ec);
  if (ec == std::errc::not_a_directory || ec == std::errc::file_exists) {
    // An object occupies a name this one needs as a directory ("a" for "a/b").
    return Fail(Code::kFailedPrecondition, "a parent of the name is an object: " + ParentOf(path));
  }
  if (ec) return FailErrno(ec.value(), "create directory " + ParentOf(path));
  return OkStatus();
}

Status LocalStore::Put(std::string_view name, ByteView data, PutMode mode) {
  RETURN_IF_ERROR(ValidateObjectName(name));
  std::string path = PathOf(name);
  auto context = [&](const Error& e) { return e.Context(fmt::format("{}: put {}", Location(), name)); };
  if (auto st = MakeParents(path); !st) return Fail(context(st.error()));
  std::string dir = ParentOf(path);
  auto temp = WriteTemporary(dir, data);
  if (!temp) return Fail(context(temp.error()));
  if (auto st = Publish(*temp, path, mode); !st) {
    ::unlink(temp->c_str());
    if (st.error().code() == Code::kAlreadyExists) {
      return Fail(Code::kAlreadyExists, fmt::format("{}: object {} already exists", Location(), name));
    }
    return Fail(context(st.error()));
  }
  if (auto st = SyncDirectory(dir); !st) return Fail(context(st.error()));
  return OkStatus();
}

Result<std::string> LocalStore::WriteTemporary(const std::string& dir, ByteView data) const {
  std::string temp = dir + "/" + std::string(kTempPrefix) + HexEncode(crypto::RandomBytes(8));
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return FailErrno(errno, "create " + temp);
  UniqueFd closer(fd);
  auto abandon = [&](const Error& e) {
    ::unlink(temp.c_str());
    return Fail(e);
  };
  if (auto st = WriteAll(fd, data, temp); !st) return abandon(st.error());
  if (::fsync(fd) != 0) return abandon(PosixError(errno, "fsync " + temp));
  if (::close(closer.release()) != 0) return abandon(PosixError(errno, "close " + temp));
  return temp;
}

Status LocalStore::Publish(const std::string& temp, const std::string& path, PutMode mode) const {
  // An empty directory at `path` is what Remove leaves of a former prefix
  // ("a" after removing "a/b"): it holds no object, so it may give way.
  // A directory that still holds objects is a name conflict.
  for (int attempt = 0;; ++attempt) {
    int err = 0;
    if (mode == PutMode::kCreateOnly) {
      // link() fails with EEXIST atomically, unlike rename().
      if (::link(temp.c_str(), path.c_str()) == 0) {
        ::unlink(temp.c_str());
        return OkStatus();
      }
      err = errno;
      if (err == EEXIST && !IsDirectory(path)) return Fail(Code::kAlreadyExists, "object exists");
    } else {
      if (::rename(temp.c_str(), path.c_str()) == 0) return OkStatus();
      err = errno;
    }
    bool directory = (err == EISDIR || err == EEXIST || err == ENOTEMPTY) && IsDirectory(path);
    if (!directory) return FailErrno(err, (mode == PutMode::kCreateOnly ? "link to " : "rename to ") + path);
    if (attempt > 0 || ::rmdir(path.c_str()) != 0) return Fail(DirectoryInTheWay());
  }
}

Result<Bytes> LocalStore::Get(std::string_view name, uint64_t offset, uint64_t length) {
  RETURN_IF_ERROR(ValidateObjectName(name));
  std::string path = PathOf(name);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR) {
      return Fail(Code::kNotFound, fmt::format("{}: object {} not found", Location(), name));
    }
    return Fail(PosixError(err, fmt::format("{}: open {}", Location(), name)));
  }
  UniqueFd closer(fd);
  struct stat st{};
  if (::fstat(fd, &st) != 0) return FailErrno(errno, fmt::format("{}: stat {}", Location(), name));
  // open() succeeds on directories: "data" is a prefix of objects, not one.
  if (!S_ISREG(st.st_mode)) return Fail(Code::kNotFound, fmt::format("{}: {} is not an object", Location(), name));
  uint64_t size = static_cast<uint64_t>(st.st_size);
  if (length == kToEnd) {
    if (offset > size) {
      return Fail(Code::kInvalidArgument, fmt::format("{}: offset {} past the end of {}", Location(), offset, name));
    }
    length = size - offset;
  }
  if (offset > size || length > size - offset) {
    return Fail(Code::kInvalidArgument,
                fmt::format("{}: range {}+{} outside {} ({} bytes)", Location(), offset, length, name, size));
  }
  Bytes out(length);
  size_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(fd, out.data() + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return FailErrno(errno, fmt::format("{}: read {}", Location(), name));
    }
    if (n == 0) return Fail(Code::kDataLoss, fmt::format("{}: {} shrank while being read", Location(), name));
    done += static_cast<size_t>(n);
  }
  return out;
}

Result<ObjectInfo> LocalStore::Stat(std::string_view name) {
  RETURN_IF_ERROR(ValidateObjectName(name));
  struct stat st{};
  if (::stat(PathOf(name).c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return Fail(Code::kNotFound, fmt::format("{}: object {} not found", Location(), name));
    }
    return FailErrno(errno, fmt::format("{}: stat {}", Location(), name));
  }
  if (!S_ISREG(st.st_mode)) return Fail(Code::kNotFound, fmt::format("{}: {} is not an object", Location(), name));
  return ObjectInfo{std::string(name), static_cast<uint64_t>(st.st_size)};
}

Status LocalStore::ListDirectory(const std::string& dir, const std::string& name_prefix, std::string_view prefix,
                                 const std::function<Status(const ObjectInfo&)>& fn) const {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT || errno == ENOTDIR) return OkStatus();
    return FailErrno(errno, fmt::format("{}: list {}", Location(), dir));
  }
  std::vector<std::pair<std::string, bool>> entries;
  while (dirent* e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if (n == "." || n == ".." || n.starts_with(kTempPrefix)) continue;
    bool is_dir = e->d_type == DT_DIR;
    if (e->d_type == DT_UNKNOWN) {
      struct stat st{};
      if (::stat((dir + "/" + std::string(n)).c_str(), &st) == 0) is_dir = S_ISDIR(st.st_mode);
    }
    entries.emplace_back(std::string(n), is_dir);
  }
  ::closedir(d);
  std::sort(entries.begin(), entries.end());
  for (const auto& [entry, is_dir] : entries) {
    std::string name = name_prefix + entry;
    if (is_dir) {
      // Descend only where a name below could still match the prefix.
      std::string sub = name + "/";
      bool may_match = sub.starts_with(prefix) || std::string_view(prefix).starts_with(sub);
      if (may_match) RETURN_IF_ERROR(ListDirectory(dir + "/" + entry, sub, prefix, fn));
      continue;
    }
    if (!std::string_view(name).starts_with(prefix)) continue;
    struct stat st{};
    if (::stat((dir + "/" + entry).c_str(), &st) != 0) continue;  // removed meanwhile
    RETURN_IF_ERROR(fn(ObjectInfo{name, static_cast<uint64_t>(st.st_size)}));
  }
  return OkStatus();
}

Status LocalStore::List(std::string_view prefix, const std::function<Status(const ObjectInfo&)>& fn) {
  // Start at the deepest directory the prefix names entirely.
  size_t slash = prefix.rfind('/');
  std::string dir_part = slash == std::string_view::npos ? "" : std::string(prefix.substr(0, slash + 1));
  // No object name starts with a directory part that is not itself a valid
  // name ("/etc/", "../"), and walking it would leave the root.
  if (!dir_part.empty() && !ValidateObjectName(std::string_view(dir_part).substr(0, slash))) return OkStatus();
  std::string dir = dir_part.empty() ? root_.string() : PathOf(dir_part.substr(0, dir_part.size() - 1));
  return ListDirectory(dir, dir_part, prefix, fn);
}

Status LocalStore::Remove(std::string_view name) {
  RETURN_IF_ERROR(ValidateObjectName(name));
  std::string path = PathOf(name);
  if (::unlink(path.c_str()) != 0) {
    int err = errno;
    // unlink() of a directory fails with EISDIR (Linux) or EPERM (POSIX).
    if (err == ENOENT || err == ENOTDIR || ((err == EISDIR || err == EPERM) && IsDirectory(path))) {
      return Fail(Code::kNotFound, fmt::format("{}: object {} not found", Location(), name));
    }
    return FailErrno(err, fmt::format("{}: remove {}", Location(), name));
  }
  return SyncDirectory(ParentOf(path));
}

}  // namespace arkiv::storage
