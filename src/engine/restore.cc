#include "engine/restore.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>

#include "core/posix_error.h"
#include "core/thread_pool.h"

namespace arkiv::engine {
namespace {

using repo::Node;
using repo::NodeType;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

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

// Writes `data` at `offset`, leaving all-zero 64 KiB blocks as holes (the
// file is extended by ftruncate at the end), so sparse files stay sparse.
Status WriteSparse(int fd, ByteView data, uint64_t offset, const std::string& path) {
  constexpr size_t kBlock = 64 * 1024;
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

timespec ToTimespec(int64_t ns) {
  return timespec{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
}

// "a/b" is selected by include "a" (below it), "a/b" (itself) and "a/b/c"
// (on the way to it).
bool Selected(const std::string& path, const std::vector<std::string>& includes) {
  if (includes.empty()) return true;
  for (const auto& inc : includes) {
    if (path == inc) return true;
    if (path.size() > inc.size() && path.starts_with(inc) && path[inc.size()] == '/') return true;
    if (inc.size() > path.size() && inc.starts_with(path) && inc[path.size()] == '/') return true;
  }
  return false;
}

struct FileJob {
  std::string path;      // absolute, in the target
  std::string rel_path;  // inside the snapshot
  Node node;
};

struct DirFixup {
  std::string path;      // absolute, in the target
  std::string rel_path;  // inside the snapshot
  Node node;
};

struct HardLink {
  std::string existing;  // absolute, in the target
  std::string path;      // absolute, in the target
  std::string rel_path;  // inside the snapshot
};

class Restorer {
 public:
  Restorer(repo::Repository& repo, const RestoreOptions& options, RestoreProgress& progress)
      : repo_(repo), options_(options), progress_(progress), is_root_(::geteuid() == 0) {}

  Result<RestoreResult> Run(const Id& tree);

 private:
  // `fresh`: `dir` was created by this restore, so nothing is in the way.
  Status Walk(const Id& tree_id, const std::string& dir, const std::string& rel, bool fresh);
  // Returns whether the directory was created (false: it existed).
  Result<bool> MakeDirectory(const std::string& path);
  Status RestoreNode(const Node& node, const std::string& path, const std::string& rel, bool fresh);
  Status WriteFile(const FileJob& job);
  Status VerifyFile(const FileJob& job);
  Status ApplyMetadata(const std::string& path, const Node& node, int fd);
  void RecordError(const std::string& path, const Error& error);

  repo::Repository& repo_;
  const RestoreOptions& options_;
  RestoreProgress& progress_;
  bool is_root_;

  std::vector<FileJob> files_;
  std::vector<DirFixup> dirs_;
  std::map<std::pair<uint64_t, uint64_t>, std::string> hardlinks_;  // (device, inode) -> first path
  std::vector<HardLink> links_to_make_;

  std::mutex mutex_;
  RestoreResult result_;
};

void Restorer::RecordError(const std::string& path, const Error& error) {
  std::lock_guard lock(mutex_);
  result_.errors.emplace_back(path, error);
}

Result<bool> Restorer::MakeDirectory(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) == 0) return true;
  if (errno != EEXIST) return FailErrno(errno, "create directory " + path);
  struct stat st{};
  if (::lstat(path.c_str(), &st) != 0) return FailErrno(errno, "lstat " + path);
  if (!S_ISDIR(st.st_mode)) {
    // Never descend through a symlink or replace a file with a directory.
    return Fail(Code::kFailedPrecondition, fmt::format("{} exists and is not a directory", path));
  }
  return false;
}

Status Restorer::RestoreNode(const Node& node, const std::string& path, const std::string& rel, bool fresh) {
  // Replace whatever non-directory is in the way; a directory in the way of
  // a non-directory is an error (we never delete trees of user data).
  struct stat st{};
  if (!fresh && node.type != NodeType::kDirectory && ::lstat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Fail(Code::kFailedPrecondition, fmt::format("{} is in the way (a directory)", path));
    if (::unlink(path.c_str()) != 0) return FailErrno(errno, "remove " + path);
  }
  switch (node.type) {
    case NodeType::kDirectory: {
      ASSIGN_OR_RETURN(bool created, MakeDirectory(path));
      result_.dirs++;
      RETURN_IF_ERROR(Walk(node.subtree, path, rel, created));
      dirs_.push_back({path, rel, node});
      return OkStatus();
    }
    case NodeType::kFile: {
      if (node.links > 1) {
        auto [it, first] = hardlinks_.try_emplace({node.device, node.inode}, path);
        if (!first) {
          links_to_make_.push_back({it->second, path, rel});
          return OkStatus();
        }
      }
      progress_.total_files++;
      progress_.total_bytes += node.size;
      files_.push_back({path, rel, node});
      return OkStatus();
    }
    case NodeType::kSymlink: {
      if (::symlink(node.link_target.c_str(), path.c_str()) != 0) return FailErrno(errno, "symlink " + path);
      return ApplyMetadata(path, node, -1);
    }
    case NodeType::kFifo: {
      if (::mkfifo(path.c_str(), 0600) != 0) return FailErrno(errno, "mkfifo " + path);
      return ApplyMetadata(path, node, -1);
    }
    case NodeType::kBlockDevice:
    case NodeType::kCharDevice: {
      if (!is_root_) return OkStatus();  // only root may create device nodes
      mode_t kind = node.type == NodeType::kBlockDevice ? S_IFBLK : S_IFCHR;
      if (::mknod(path.c_str(), kind | 0600, static_cast<dev_t>(node.rdev)) != 0) {
        return FailErrno(errno, "mknod " + path);
      }
      return ApplyMetadata(path, node, -1);
    }
    case NodeType::kSocket: return OkStatus();  // sockets cannot be restored meaningfully
  }
  return OkStatus();
}

Status Restorer::Walk(const Id& tree_id, const std::string& dir, const std::string& rel, bool fresh) {
  ASSIGN_OR_RETURN(repo::Tree tree, repo_.LoadTree(tree_id));
  for (const auto& node : tree.nodes) {
    std::string child_rel = rel.empty() ? node.name : rel + "/" + node.name;
    if (!Selected(child_rel, options_.includes)) continue;
    std::string path = dir + "/" + node.name;
    if (auto st = RestoreNode(node, path, child_rel, fresh); !st) {
      if (st.error().code() == Code::kDataLoss || st.error().code() == Code::kNotFound) {
        RecordError(child_rel, st.error());  // damaged subtree: restore the rest
        continue;
      }
      return st;
    }
  }
  return OkStatus();
}

Status Restorer::ApplyMetadata(const std::string& path, const Node& node, int fd) {
  if (is_root_) {
    int rc = fd >= 0 ? ::fchown(fd, node.uid, node.gid) : ::lchown(path.c_str(), node.uid, node.gid);
    if (rc != 0) return FailErrno(errno, "chown " + path);
  }
  if (node.type != NodeType::kSymlink) {
    int rc = fd >= 0 ? ::fchmod(fd, node.mode) : ::chmod(path.c_str(), node.mode);
    if (rc != 0) return FailErrno(errno, "chmod " + path);
  }
  timespec times[2] = {ToTimespec(node.mtime_ns), ToTimespec(node.mtime_ns)};
  int rc = fd >= 0 ? ::futimens(fd, times) : ::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW);
  if (rc != 0) return FailErrno(errno, "set times of " + path);
  return OkStatus();
}

Status Restorer::WriteFile(const FileJob& job) {
  int raw = ::open(job.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (raw < 0) return FailErrno(errno, "create " + job.path);
  Fd fd(raw);
  // A file that cannot be restored whole is not left behind half written
  // under its name: a restore gives right files or none (the error names it).
  auto abandon = [&](Error error) -> Status {
    ::unlink(job.path.c_str());
    return Fail(std::move(error));
  };
  uint64_t offset = 0;
  for (const Id& id : job.node.content) {
    auto data = repo_.LoadBlob(id, repo::BlobCheck::kAuthenticate);
    if (!data) return abandon(data.error());
    if (auto st = WriteSparse(fd.get(), *data, offset, job.path); !st) return abandon(st.error());
    offset += data->size();
    progress_.bytes_done += data->size();
  }
  // Sets the length, leaving trailing all-zero blocks as a hole.
  if (::ftruncate(fd.get(), static_cast<off_t>(offset)) != 0) return FailErrno(errno, "truncate " + job.path);
  RETURN_IF_ERROR(ApplyMetadata(job.path, job.node, fd.get()));
  if (::close(fd.release()) != 0) return FailErrno(errno, "close " + job.path);
  return OkStatus();
}

Status Restorer::VerifyFile(const FileJob& job) {
  int raw = ::open(job.path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (raw < 0) return FailErrno(errno, "open " + job.path);
  Fd fd(raw);
  uint64_t offset = 0;
  for (const Id& id : job.node.content) {
    auto location = repo_.index().Find(id);
    if (!location) return Fail(Code::kNotFound, fmt::format("blob {} not in index", id.Short()));
    Bytes data(location->entry.raw_length);
    ssize_t n = ::pread(fd.get(), data.data(), data.size(), static_cast<off_t>(offset));
    if (n != static_cast<ssize_t>(data.size()) || repo_.BlobId(data) != id) {
      return Fail(Code::kDataLoss, fmt::format("{}: restored content differs at offset {}", job.path, offset));
    }
    offset += data.size();
  }
  struct stat st{};
  if (::fstat(fd.get(), &st) != 0 || static_cast<uint64_t>(st.st_size) != offset) {
    return Fail(Code::kDataLoss, fmt::format("{}: restored file has the wrong size", job.path));
  }
  return OkStatus();
}

Result<RestoreResult> Restorer::Run(const Id& tree) {
  if (options_.target.empty()) return Fail(Code::kInvalidArgument, "no restore target given");
  std::string target = options_.target;
  while (target.size() > 1 && target.back() == '/') target.pop_back();
  if (::mkdir(target.c_str(), 0700) != 0 && errno != EEXIST) {
    return FailErrno(errno, "create restore target " + target);
  }
  struct stat st{};
  if (::stat(target.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Fail(Code::kFailedPrecondition, fmt::format("restore target {} is not a directory", target));
  }
  if (::access(target.c_str(), W_OK) != 0) return FailErrno(errno, "restore target " + target + " is not writable");

  RETURN_IF_ERROR(Walk(tree, target, "", /*fresh=*/false));

  // Big files first so that the long ones do not start last.
  std::sort(files_.begin(), files_.end(), [](const FileJob& a, const FileJob& b) { return a.node.size > b.node.size; });
  size_t workers = options_.workers ? options_.workers : std::max<size_t>(4, 2 * DefaultParallelism());
  {
    ThreadPool pool(workers, 2 * workers);
    for (const auto& job : files_) {
      pool.Submit([this, &job] {
        auto st = WriteFile(job);
        if (st && options_.verify) st = VerifyFile(job);
        if (!st) {
          RecordError(job.rel_path, st.error());
          return;
        }
        progress_.files_done++;
        std::lock_guard lock(mutex_);
        result_.files++;
        result_.bytes += job.node.size;
        if (options_.verify) result_.verified_files++;
      });
    }
    pool.Wait();
  }
  for (const auto& link : links_to_make_) {
    if (::link(link.existing.c_str(), link.path.c_str()) != 0) {
      RecordError(link.rel_path, PosixError(errno, "link " + link.path));
    }
  }
  // dirs_ is in post-order (children before parents): setting a parent's
  // mtime before its children are complete would be undone by their creation.
  for (const auto& dir : dirs_) {
    if (auto st = ApplyMetadata(dir.path, dir.node, -1); !st) RecordError(dir.rel_path, st.error());
  }
  std::sort(result_.errors.begin(), result_.errors.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return std::move(result_);
}

}  // namespace

Result<RestoreResult> RunRestore(repo::Repository& repo, const Id& tree, const RestoreOptions& options,
                                 RestoreProgress& progress) {
  Restorer restorer(repo, options, progress);
  return restorer.Run(tree);
}

}  // namespace arkiv::engine
