#include "engine/restore.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <utility>

#include "core/log.h"
#include "core/posix_error.h"
#include "core/thread_pool.h"
#include "core/unique_fd.h"
#include "engine/restore_plan.h"
#include "engine/sparse_write.h"
#include "repo/tree_reader.h"

namespace arkiv::engine {
namespace {

using repo::Node;
using repo::NodeType;

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

// What one restored file is waiting for. Its pieces (blob references) are
// written by whichever worker reads their run; the worker that writes the
// last one finishes the file. The first write creates it.
struct FileState {
  std::mutex mutex;  // guards the fields below, and create/unlink of the file
  bool created = false;
  bool failed = false;
  dev_t device = 0;  // of the file this restore created
  ino_t inode = 0;
  std::atomic<uint32_t> pieces_left{0};
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
  // Restores the files collected so far (one plan, read by pack runs), then
  // the hardlinks to them and the metadata of the directories walked whole
  // since the last batch; forgets them all. Errors are recorded per path.
  void RestoreBatch();
  // The file a worker wrote last, kept open for its next piece (a big
  // file's blobs follow one another in a pack).
  struct OpenFile {
    uint32_t file = UINT32_MAX;
    UniqueFd fd;
  };
  // Reads one run of a pack and writes each blob, as soon as it is opened,
  // to every place it goes: a worker holds the sealed run and one opened
  // blob, not the run's whole plaintext.
  void RestoreRun(const PackRun& run);
  // Writes one piece of file `f`; the last piece finishes the file.
  void WritePiece(OpenFile& open, uint32_t f, uint64_t offset, const Bytes& data);
  // Creates file `f` on its first write, opens it again on later ones. An
  // invalid fd (and no error) when the file has failed already.
  Result<UniqueFd> OpenForWrite(uint32_t f);
  // Sets the size, metadata, closes, verifies: the file is complete.
  void FinishFile(uint32_t f, UniqueFd fd);
  // A file that cannot be restored whole is not left behind half written
  // under its name: a restore gives right files or none (the error names it).
  void FailFile(uint32_t f, const Error& error);
  Status VerifyFile(const FileJob& job);
  Status ApplyMetadata(const std::string& path, const Node& node, int fd);
  void RecordError(const std::string& path, const Error& error);

  repo::Repository& repo_;
  const RestoreOptions& options_;
  RestoreProgress& progress_;
  bool is_root_;

  // The batch: files collected since the last RestoreBatch, and directories
  // whose walk ended since then (post-order: children before parents).
  std::vector<FileJob> files_;
  size_t batch_blobs_ = 0;  // blob references of files_
  std::vector<DirFixup> dirs_;
  std::map<std::pair<uint64_t, uint64_t>, std::string> hardlinks_;  // (device, inode) -> first path
  std::vector<HardLink> links_to_make_;

  RestorePlan plan_;
  std::unique_ptr<FileState[]> states_;  // one per files_ entry

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
      batch_blobs_ += node.content.size();
      if (files_.size() >= options_.batch_files || batch_blobs_ >= options_.batch_blobs) RestoreBatch();
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
  // A page of nodes at a time: a directory of a million entries is never
  // held whole (its files go out in batches as they are met).
  ASSIGN_OR_RETURN(repo::TreeReader reader, repo::TreeReader::Open(repo_, tree_id));
  Node node;
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader.Next(node));
    if (!more) break;
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

Result<UniqueFd> Restorer::OpenForWrite(uint32_t f) {
  const std::string& path = files_[f].path;
  FileState& state = states_[f];
  std::lock_guard lock(state.mutex);
  if (state.failed) return UniqueFd();
  if (!state.created) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd.valid()) return FailErrno(errno, "create " + path);
    struct stat st{};
    if (::fstat(fd.get(), &st) != 0) return FailErrno(errno, "stat " + path);
    state.created = true;
    state.device = st.st_dev;
    state.inode = st.st_ino;
    return fd;
  }
  // Opened by name again: it must still be the file this restore created
  // (O_NOFOLLOW refuses a symlink put in its place, the inode anything else).
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return FailErrno(errno, "open " + path);
  struct stat st{};
  if (::fstat(fd.get(), &st) != 0) return FailErrno(errno, "stat " + path);
  if (st.st_dev != state.device || st.st_ino != state.inode) {
    return Fail(Code::kFailedPrecondition, fmt::format("{} was replaced during the restore", path));
  }
  return fd;
}

void Restorer::FailFile(uint32_t f, const Error& error) {
  const FileJob& job = files_[f];
  FileState& state = states_[f];
  {
    std::lock_guard lock(state.mutex);
    if (state.failed) return;  // one error per file: the first
    state.failed = true;
    struct stat st{};
    if (state.created && ::lstat(job.path.c_str(), &st) == 0 && st.st_dev == state.device &&
        st.st_ino == state.inode) {
      ::unlink(job.path.c_str());
    }
  }
  RecordError(job.rel_path, error);
}

void Restorer::WritePiece(OpenFile& open, uint32_t f, uint64_t offset, const Bytes& data) {
  const FileJob& job = files_[f];
  if (open.file != f || !open.fd.valid()) {
    open = OpenFile{f, UniqueFd()};
    auto fd = OpenForWrite(f);
    if (!fd) return FailFile(f, fd.error());
    if (!fd->valid()) return;  // failed by another run
    open.fd = std::move(*fd);
  }
  if (auto st = WriteSparse(open.fd.get(), data, offset, job.path); !st) {
    open = OpenFile();
    return FailFile(f, st.error());
  }
  progress_.bytes_done += data.size();
  if (states_[f].pieces_left.fetch_sub(1) == 1) FinishFile(f, std::exchange(open, OpenFile()).fd);
}

void Restorer::FinishFile(uint32_t f, UniqueFd fd) {
  const FileJob& job = files_[f];
  // Sets the length, leaving trailing all-zero blocks as a hole.
  if (::ftruncate(fd.get(), static_cast<off_t>(plan_.files[f].size)) != 0) {
    return FailFile(f, PosixError(errno, "truncate " + job.path));
  }
  Status st = ApplyMetadata(job.path, job.node, fd.get());
  if (st && ::close(fd.release()) != 0) st = FailErrno(errno, "close " + job.path);
  if (st && options_.verify) st = VerifyFile(job);
  if (!st) return RecordError(job.rel_path, st.error());
  progress_.files_done++;
  std::lock_guard lock(mutex_);
  result_.files++;
  result_.bytes += job.node.size;
  if (options_.verify) result_.verified_files++;
}

void Restorer::RestoreRun(const PackRun& run) {
  std::vector<repo::BlobEntry> entries;
  entries.reserve(run.blob_count);
  for (uint32_t b = run.first_blob; b < run.first_blob + run.blob_count; ++b) entries.push_back(plan_.blobs[b].entry);
  OpenFile open;
  auto places_of = [&](size_t k) {
    const PlannedBlob& blob = plan_.blobs[run.first_blob + k];
    return std::span<const BlobPlace>(plan_.places.data() + blob.first_place, blob.place_count);
  };
  auto fail = [&](size_t k, const Error& error) {
    for (const BlobPlace& place : places_of(k)) {
      if (open.file == place.file) open = OpenFile();
      FailFile(place.file, error);
    }
  };
  // Every blob is authenticated (AES-GCM, the blob id as associated data)
  // before any byte of it is written.
  Status read = repo_.ReadBlobRun(
      plan_.packs[run.pack], entries, repo::BlobCheck::kAuthenticate, [&](size_t k, Result<Bytes> blob) {
        const repo::BlobEntry& entry = entries[k];
        if (!blob) return fail(k, blob.error());
        if (blob->size() != entry.raw_length) {
          return fail(k, Error(Code::kDataLoss, fmt::format("blob {}: opened {} bytes, index says {}", entry.id.Hex(),
                                                            blob->size(), entry.raw_length)));
        }
        for (const BlobPlace& place : places_of(k)) WritePiece(open, place.file, place.offset, *blob);
      });
  if (!read) {  // a bad plan (blobs out of order): nothing was read
    for (size_t k = 0; k < run.blob_count; ++k) fail(k, read.error());
  }
}

Status Restorer::VerifyFile(const FileJob& job) {
  int raw = ::open(job.path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (raw < 0) return FailErrno(errno, "open " + job.path);
  UniqueFd fd(raw);
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

void Restorer::RestoreBatch() {
  std::vector<const std::vector<Id>*> contents;
  contents.reserve(files_.size());
  for (const auto& job : files_) contents.push_back(&job.node.content);
  plan_ = PlanRestore(repo_.index(), contents);
  states_ = std::make_unique<FileState[]>(files_.size());
  for (const auto& [f, error] : plan_.errors) RecordError(files_[f].rel_path, error);
  for (uint32_t f = 0; f < files_.size(); ++f) {
    const PlannedFile& planned = plan_.files[f];
    if (planned.missing) continue;
    states_[f].pieces_left = planned.pieces;
    if (planned.pieces > 0) continue;
    // Empty files have no run to create them.
    auto fd = OpenForWrite(f);
    if (!fd) {
      FailFile(f, fd.error());
    } else {
      FinishFile(f, std::move(*fd));
    }
  }
  LogDebug("restore plan: {} files, {} blob references, {} blobs in {} packs, {} reads", files_.size(),
           plan_.places.size(), plan_.blobs.size(), plan_.packs.size(), plan_.runs.size());

  // Each worker holds one run's bytes at a time (RunLimits): the memory in
  // flight is bounded by workers × run size, so the default is capped.
  size_t workers = options_.workers ? options_.workers : std::clamp<size_t>(2 * DefaultParallelism(), 4, 16);
  {
    ThreadPool pool(workers, 2 * workers);
    for (const PackRun& run : plan_.runs) {
      pool.Submit([this, &run] { RestoreRun(run); });
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
  files_.clear();
  batch_blobs_ = 0;
  links_to_make_.clear();
  dirs_.clear();
  plan_ = RestorePlan();
  states_.reset();
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
  RestoreBatch();
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
