#include "engine/backup.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "chunker/chunk_reader.h"
#include "core/log.h"
#include "core/posix_error.h"
#include "core/thread_pool.h"
#include "core/unique_fd.h"
#include "engine/directory_names.h"
#include "engine/file_metadata.h"
#include "engine/prune_lease.h"
#include "engine/source_scanner.h"
#include "engine/tree_walker.h"
#include "repo/blob_saver.h"
#include "repo/prune_marker.h"
#include "repo/system_info.h"
#include "repo/tree_reader.h"
#include "repo/tree_writer.h"

namespace arkiv::engine {

void BackupProgress::SetCurrent(const std::string& path) {
  std::lock_guard lock(mutex_);
  current_ = path;
}

std::string BackupProgress::Current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

namespace {

// Files up to this size are sealed on their reader thread (ReadFileContent)
// and read in batches of up to kReadBatchFiles files and kReadBatchBytes.
constexpr uint64_t kSealOnReaderBytes = 1 << 20;
constexpr size_t kReadBatchFiles = 32;
constexpr uint64_t kReadBatchBytes = 1 << 20;

using repo::Node;
using repo::NodeType;
using repo::Tree;

// Reads a file without updating its atime where the kernel lets us. `name`
// is relative to the open directory `dir_fd` (AT_FDCWD: a path): one lookup
// instead of a walk of the whole path, and no parent swapped for a symlink
// meanwhile can send the read elsewhere.
int OpenForReading(int dir_fd, const char* name) {
  int fd = ::openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOATIME);
  if (fd < 0 && errno == EPERM) fd = ::openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  return fd;
}

struct FileOutcome {
  std::optional<Node> node;  // nullopt: unreadable, reported
  enum Kind { kNew, kChanged, kUnchanged } kind = kNew;
};

// One directory of the parent snapshot, streamed beside the new listing:
// both are in name order, so the parent's node of each new name is found by
// reading forward, a page at a time. A damaged parent only costs re-reading
// (logged, never fails the backup).
class ParentDirectory {
 public:
  ParentDirectory(const repo::Repository& repo, const std::optional<Id>& id) {
    if (!id) return;
    auto reader = repo::TreeReader::Open(repo, *id);
    if (!reader) {
      Damaged(reader.error());
      return;
    }
    reader_.emplace(std::move(*reader));
    Advance();
  }

  // The parent's node named `name`, or nullptr. Names are asked in
  // increasing order; the node stays valid until the next call.
  const Node* Find(const std::string& name) {
    while (has_current_ && (consumed_ || current_.name < name)) {
      if (!consumed_) skipped_ = true;
      Advance();
    }
    if (!has_current_ || current_.name != name) return nullptr;
    consumed_ = true;
    return &current_;
  }

  // Where the node Find returned last is stored: its page (or plain tree)
  // and index there, when that blob is in the index. A new page made of the
  // same nodes reuses its id (repo/tree_writer.h).
  std::optional<repo::TreeWriter::Origin> OriginOfFound(const repo::Repository& repo) const {
    auto position = reader_->position();
    const Id& blob = reader_->paged() ? reader_->pages()[position.page] : reader_->id();
    if (!repo.index().Has(blob)) return std::nullopt;
    return repo::TreeWriter::Origin{blob, position.index, position.count};
  }

  // True when every node of the parent was found, none skipped or left.
  bool AllFound() {
    while (has_current_ && consumed_) Advance();
    return reader_ && !damaged_ && !skipped_ && !has_current_;
  }

 private:
  void Advance() {
    consumed_ = false;
    auto more = reader_->Next(current_);
    if (!more) {
      Damaged(more.error());
      has_current_ = false;
      return;
    }
    has_current_ = *more;
  }
  void Damaged(const Error& error) {
    damaged_ = true;
    LogInfo("parent tree unreadable, files below it will be read: {}", error.message());
  }

  std::optional<repo::TreeReader> reader_;
  Node current_;
  bool has_current_ = false;
  bool consumed_ = false;
  bool skipped_ = false;
  bool damaged_ = false;
};

class Backup {
 public:
  Backup(repo::Repository& repo, const BackupOptions& options, BackupProgress& progress, BackupObserver* observer)
      : repo_(repo),
        options_(options),
        progress_(progress),
        observer_(observer),
        chunker_(repo.config().chunker),
        saver_(repo, repo::BlobSaverOptions{.upload_threads = std::max<size_t>(1, options.upload_threads)}),
        workers_(options.workers ? options.workers : DefaultParallelism()),
        readers_(workers_, 2 * workers_),
        sealers_(workers_, 2 * workers_),
        tree_limits_(options.tree_limits) {}

  Result<BackupResult> Run();

 private:
  // `parent_id`: this directory's tree in the parent snapshot, if any.
  Result<Node> BackupDirectory(const std::string& path, const struct stat& st, const std::string& name,
                               const std::optional<Id>& parent_id);
  // Stores one tree blob (a plain tree, a page or a page list).
  Result<Id> SaveTreeBlob(const Bytes& bytes);
  bool Reusable(const Node& now, const Node* before) const;
  // Adds a finished file to the counters; returns its node.
  Node Count(FileOutcome outcome);
  // `path` names the file in messages; it is opened as `name` in `dir_fd`.
  FileOutcome BackupFile(int dir_fd, const char* name, const std::string& path, Node node, const Node* before);
  Status ReadFileContent(int dir_fd, const char* name, const std::string& path, Node& node);
  Result<Id> SaveTree(const Tree& tree);
  void Warn(const std::string& path, const Error& error);
  void ChangedWhileRead(const std::string& path, const std::string& what);
  std::optional<repo::SnapshotRecord> FindParentSnapshot(const std::vector<std::string>& paths);
  int64_t Now() const { return options_.clock ? options_.clock() : repo::NowUnixNanos(); }
  // When the backup outlived its lease, copies what the tree `root` uses out
  // of packs marked since it began (engine/prune_lease.h); fails if one of
  // them is gone already.
  Status CheckPruneLease(int64_t started, std::unordered_set<Id, IdHash>& seen_markers, const Id& root);

  repo::Repository& repo_;
  const BackupOptions& options_;
  BackupProgress& progress_;
  BackupObserver* observer_;
  chunker::Chunker chunker_;
  repo::BlobSaver saver_;
  size_t workers_;
  ThreadPool readers_;
  ThreadPool sealers_;

  std::mutex warnings_mutex_;
  std::vector<std::pair<std::string, Error>> warnings_;
  std::vector<std::pair<std::string, std::string>> changed_while_read_;
  std::atomic<uint64_t> files_new_{0}, files_changed_{0}, files_unchanged_{0}, bytes_total_{0};
  uint64_t blobs_recopied_ = 0;  // by the lease renewal
  std::atomic<uint64_t> bytes_read_{0};
  dev_t root_device_ = 0;
  repo::TreeLimits tree_limits_;
};

void Backup::Warn(const std::string& path, const Error& error) {
  progress_.errors++;
  {
    std::lock_guard lock(warnings_mutex_);
    warnings_.emplace_back(path, error);
  }
  if (observer_) observer_->OnWarning(path, error);
}

Result<Id> Backup::SaveTreeBlob(const Bytes& bytes) {
  Id id = repo_.BlobId(bytes);
  RETURN_IF_ERROR(saver_.Save(repo::BlobType::kTree, id, bytes));
  return id;
}

Result<Id> Backup::SaveTree(const Tree& tree) {
  repo::TreeWriter writer([this](const Bytes& bytes) { return SaveTreeBlob(bytes); }, tree_limits_);
  std::vector<Node> nodes = tree.nodes;
  std::sort(nodes.begin(), nodes.end(), [](const Node& a, const Node& b) { return a.name < b.name; });
  for (auto& node : nodes) RETURN_IF_ERROR(writer.Add(std::move(node)));
  return writer.Finish();
}

Status Backup::ReadFileContent(int dir_fd, const char* name, const std::string& path, Node& node) {
  UniqueFd fd(OpenForReading(dir_fd, name));
  if (!fd.valid()) return FailErrno(errno, "open " + path);
  uint64_t size = 0;
  node.content.clear();
  auto add_chunk = [&](Bytes chunk) {
    size += chunk.size();
    progress_.bytes_done += chunk.size();
    Id id = repo_.BlobId(chunk);
    node.content.push_back(id);
    if (repo_.index().Has(id)) return;
    // A failure sealing surfaces at Flush. A small file is sealed here, on
    // its reader thread: readers already run in parallel, and handing each
    // small file's chunk to a sealer thread cost two thread wake-ups a file
    // (futex and scheduler were a quarter of a 100,000-file backup's
    // profile). A large file's chunks go to the sealers, so that one file's
    // compression and encryption use every core.
    if (node.size <= kSealOnReaderBytes) {
      (void)saver_.Save(repo::BlobType::kData, id, chunk);
      return;
    }
    sealers_.Submit([this, id, data = std::move(chunk)] { (void)saver_.Save(repo::BlobType::kData, id, data); });
  };
  // One read(2), retried when interrupted; 0 at the end of the file.
  auto read_some = [&](uint8_t* buffer, size_t want) -> Result<size_t> {
    for (;;) {
      ssize_t n = ::read(fd.get(), buffer, want);
      if (n >= 0) return static_cast<size_t>(n);
      if (errno != EINTR) return FailErrno(errno, "read " + path);
    }
  };
  if (node.size > 0 && node.size <= chunker_.params().min_size) {
    // No longer than the chunker's minimum: the file is one chunk whatever
    // its bytes. Read straight into it, exactly the listed size — no read
    // buffer to copy from, no read-ahead advice, no read to find the end
    // (a file that grew meanwhile is caught by the fstat below and
    // reported; it keeps the bytes of its listed size).
    Bytes chunk(node.size);
    size_t got = 0;
    while (got < chunk.size()) {
      ASSIGN_OR_RETURN(size_t n, read_some(chunk.data() + got, chunk.size() - got));
      if (n == 0) break;
      got += n;
    }
    chunk.resize(got);
    if (got > 0) add_chunk(std::move(chunk));
  } else {
    ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
    chunker::ChunkReader reader(chunker_, read_some, node.size);
    for (;;) {
      ASSIGN_OR_RETURN(auto chunk, reader.Next());
      if (!chunk) break;
      add_chunk(std::move(*chunk));
    }
  }
  bytes_read_ += size;
  struct stat after{};
  if (::fstat(fd.get(), &after) != 0) return FailErrno(errno, "stat " + path);
  std::string change = ChangeWhileRead(node, after, size);
  // The node keeps the times of the listing, from before the read: the next
  // backup sees the new ones and reads the file again.
  node.size = size;
  if (!change.empty()) ChangedWhileRead(path, change);
  return OkStatus();
}

void Backup::ChangedWhileRead(const std::string& path, const std::string& what) {
  {
    std::lock_guard lock(warnings_mutex_);
    changed_while_read_.emplace_back(path, what);
  }
  if (observer_) observer_->OnChangedWhileRead(path, what);
}

FileOutcome Backup::BackupFile(int dir_fd, const char* name, const std::string& path, Node node,
                               const Node* before) {
  FileOutcome outcome;
  if (Reusable(node, before)) {
    node.content = before->content;
    progress_.bytes_done += node.size;
    outcome.kind = FileOutcome::kUnchanged;
  } else {
    progress_.SetCurrent(path);
    if (auto st = ReadFileContent(dir_fd, name, path, node); !st) {
      Warn(path, st.error());
      return outcome;
    }
    outcome.kind = before ? FileOutcome::kChanged : FileOutcome::kNew;
  }
  outcome.node = std::move(node);
  return outcome;
}

Node Backup::Count(FileOutcome outcome) {
  switch (outcome.kind) {
    case FileOutcome::kNew: files_new_++; break;
    case FileOutcome::kChanged: files_changed_++; break;
    case FileOutcome::kUnchanged: files_unchanged_++; break;
  }
  bytes_total_ += outcome.node->size;
  progress_.files_done++;
  return std::move(*outcome.node);
}

bool Backup::Reusable(const Node& now, const Node* before) const {
  return before != nullptr && !options_.force_reread && UnchangedSince(now, *before) &&
         std::all_of(before->content.begin(), before->content.end(),
                     [&](const Id& id) { return repo_.index().Has(id); });
}

Result<Node> Backup::BackupDirectory(const std::string& path, const struct stat& dir_stat, const std::string& name,
                                     const std::optional<Id>& parent_id) {
  Node dir_node = NodeFromStat(name, dir_stat);
  // Entries are looked up in the open directory (fstatat, openat): one
  // lookup per entry instead of a walk of its whole absolute path, and the
  // directory read is the one listed. Shared with the read batches, which
  // may outlive this call when it fails.
  auto dir_fd = std::make_shared<const UniqueFd>(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir_fd->valid()) return FailErrno(errno, "open directory " + path);
  // The names alone are held for the whole directory (sorted, they give the
  // tree's order); nodes only up to a page and the reader window below.
  ASSIGN_OR_RETURN(DirectoryNames names, DirectoryNames::Read(dir_fd->get(), path));

  ParentDirectory parent(repo_, parent_id);
  // Whether every node so far equals the parent's: then the directory's
  // tree is the parent's, reused without serializing it again.
  bool same_as_parent = parent_id.has_value();
  repo::TreeWriter writer([this](const Bytes& bytes) { return SaveTreeBlob(bytes); }, tree_limits_);

  // Nodes in name order, files among them possibly still being read by the
  // reader threads. At most `window` are held: the oldest is waited for and
  // added to the tree when a new one comes.
  // Files to read go to the reader threads in batches of consecutive small
  // files (one task, one wake-up each way, per batch rather than per file:
  // the hand-offs cost as much as reading a 3 KB file).
  struct ReadBatch {
    struct Job {
      std::string path;
      size_t name_at = 0;  // where the entry's name starts in `path`
      Node node;
      std::optional<Node> before;
    };
    std::shared_ptr<const UniqueFd> dir;  // the files' directory
    std::vector<Job> jobs;
    std::vector<FileOutcome> outcomes;
    std::promise<void> promise;
    std::shared_future<void> done = promise.get_future().share();
    uint64_t bytes = 0;
  };
  struct Slot {
    std::optional<Node> node;
    std::shared_ptr<ReadBatch> batch;  // a file being read: its batch and place in it
    size_t in_batch = 0;
    std::optional<repo::TreeWriter::Origin> origin;  // equal to the parent's node there
  };
  const size_t window = std::max<size_t>(256, 8 * workers_);
  std::deque<Slot> slots;
  std::shared_ptr<ReadBatch> filling;  // not yet handed to the readers
  auto submit = [&] {
    if (!filling) return;
    readers_.Submit([this, batch = filling] {
      try {
        batch->outcomes.reserve(batch->jobs.size());
        for (auto& job : batch->jobs) {
          batch->outcomes.push_back(BackupFile(batch->dir->get(), job.path.c_str() + job.name_at, job.path,
                                               std::move(job.node), job.before ? &*job.before : nullptr));
        }
        batch->promise.set_value();
      } catch (...) {
        batch->promise.set_exception(std::current_exception());  // rethrown where the batch is waited for
      }
    });
    filling.reset();
  };
  auto drain = [&](size_t keep) -> Status {
    while (slots.size() > keep) {
      Slot slot = std::move(slots.front());
      slots.pop_front();
      if (slot.node) {
        RETURN_IF_ERROR(writer.Add(std::move(*slot.node), slot.origin));
        continue;
      }
      if (slot.batch == filling) submit();
      slot.batch->done.get();
      FileOutcome outcome = std::move(slot.batch->outcomes[slot.in_batch]);
      if (outcome.node) RETURN_IF_ERROR(writer.Add(Count(std::move(outcome))));
    }
    return OkStatus();
  };
  // A node known now; it keeps the tree equal to the parent's if it equals
  // the parent's node of the same name.
  auto ready = [&](Node node, const Node* old) -> Status {
    std::optional<repo::TreeWriter::Origin> origin;
    if (old != nullptr && node == *old) {
      origin = parent.OriginOfFound(repo_);
    } else {
      same_as_parent = false;
    }
    slots.push_back(Slot{std::move(node), nullptr, 0, origin});
    return drain(window);
  };

  for (size_t i = 0; i < names.size(); ++i) {
    std::string entry(names[i]);
    std::string child = path == "/" ? "/" + entry : path + "/" + entry;
    if (options_.excludes.Matches(child, entry)) continue;
    struct stat st{};
    if (::fstatat(dir_fd->get(), entry.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      Warn(child, PosixError(errno, "lstat " + child));
      continue;
    }
    Node node = NodeFromStat(entry, st);
    const Node* old = parent.Find(entry);
    switch (node.type) {
      case NodeType::kDirectory: {
        if (options_.one_file_system && st.st_dev != root_device_) {
          ASSIGN_OR_RETURN(node.subtree, SaveTree(Tree{}));  // the mount point, empty
          RETURN_IF_ERROR(ready(std::move(node), old));
          break;
        }
        std::optional<Id> old_subtree;
        if (old && old->type == NodeType::kDirectory) old_subtree = old->subtree;
        submit();  // the readers work on this directory's files meanwhile
        auto sub = BackupDirectory(child, st, entry, old_subtree);
        if (!sub) {
          if (sub.error().code() == Code::kDataLoss || sub.error().code() == Code::kUnavailable) return sub;
          Warn(child, sub.error());
          same_as_parent = false;
          break;
        }
        RETURN_IF_ERROR(ready(std::move(*sub), old));
        break;
      }
      case NodeType::kFile: {
        const Node* old_file = old && old->type == NodeType::kFile ? old : nullptr;
        if (Reusable(node, old_file)) {
          // Unchanged: no need to hand it to a reader thread (a no-change
          // backup of many small files is bound by that hand-over).
          node.content = old_file->content;
          progress_.bytes_done += node.size;
          RETURN_IF_ERROR(ready(Count(FileOutcome{std::move(node), FileOutcome::kUnchanged}), old));
          break;
        }
        // Read again: the tree differs from the parent's (or has equal
        // bytes, which deduplicate).
        same_as_parent = false;
        std::optional<Node> before;
        if (old_file) before = *old_file;  // the parent's page moves on meanwhile
        const uint64_t size = node.size;
        if (filling && (size > kSealOnReaderBytes || filling->bytes + size > kReadBatchBytes)) submit();
        if (!filling) {
          filling = std::make_shared<ReadBatch>();
          filling->dir = dir_fd;
        }
        const size_t name_at = child.size() - entry.size();
        filling->jobs.push_back({std::move(child), name_at, std::move(node), std::move(before)});
        filling->bytes += size;
        slots.push_back(Slot{std::nullopt, filling, filling->jobs.size() - 1, std::nullopt});
        // A large file is a batch of its own; a batch ends at a size or a count.
        if (size > kSealOnReaderBytes || filling->jobs.size() >= kReadBatchFiles) submit();
        RETURN_IF_ERROR(drain(window));
        break;
      }
      case NodeType::kSymlink: {
        std::string target(static_cast<size_t>(std::max<off_t>(st.st_size, 0)) + 1, '\0');
        ssize_t n = ::readlinkat(dir_fd->get(), entry.c_str(), target.data(), target.size());
        if (n < 0) {
          Warn(child, PosixError(errno, "readlink " + child));
          same_as_parent = false;
          break;
        }
        target.resize(static_cast<size_t>(n));
        node.link_target = std::move(target);
        RETURN_IF_ERROR(ready(std::move(node), old));
        break;
      }
      default: RETURN_IF_ERROR(ready(std::move(node), old)); break;
    }
  }
  RETURN_IF_ERROR(drain(0));
  // An unchanged directory has the same tree as before: reuse its id rather
  // than serialize, hash and look up the same bytes again.
  if (same_as_parent && parent.AllFound() && repo_.index().Has(*parent_id)) {
    dir_node.subtree = *parent_id;
  } else {
    ASSIGN_OR_RETURN(dir_node.subtree, writer.Finish());
  }
  progress_.dirs_done++;
  return dir_node;
}

std::optional<repo::SnapshotRecord> Backup::FindParentSnapshot(const std::vector<std::string>& paths) {
  auto all = repo_.LoadSnapshots();
  if (!all) return std::nullopt;
  std::string host = options_.host.empty() ? repo::HostName() : options_.host;
  for (auto it = all->rbegin(); it != all->rend(); ++it) {
    if (options_.parent) {
      if (it->id == *options_.parent) return *it;
      continue;
    }
    if (it->snapshot.host == host && it->snapshot.paths == paths) return *it;
  }
  return std::nullopt;
}

Status Backup::CheckPruneLease(int64_t started, std::unordered_set<Id, IdHash>& seen_markers, const Id& root) {
  int64_t checked = Now();
  if (checked - started <= options_.prune_lease_ns) return OkStatus();
  auto renewal = RenewPruneLease(repo_, root, seen_markers, std::max<size_t>(1, options_.upload_threads));
  if (!renewal) {
    if (renewal.error().code() != Code::kAborted) return Fail(renewal.error());
    return Fail(Code::kAborted,
                fmt::format("{}: the backup ran {} min, longer than its prune lease ({} min), and {}; no snapshot was "
                            "written. Run the backup again (it reuses what it stored), or give prune a longer "
                            "--safety-window",
                            repo_.store().Location(), (checked - started) / 60'000'000'000,
                            options_.prune_lease_ns / 60'000'000'000, renewal.error().message()));
  }
  blobs_recopied_ = renewal->blobs_recopied;
  // The markers were listed at `checked`: one written later is due only a
  // window after it, so the snapshot must follow within a lease.
  if (Now() - checked > options_.prune_lease_ns) {
    return Fail(Code::kAborted, fmt::format("{}: renewing the backup's prune lease took longer than the lease; no "
                                            "snapshot was written. Run the backup again",
                                            repo_.store().Location()));
  }
  return OkStatus();
}

Result<BackupResult> Backup::Run() {
  auto start = std::chrono::steady_clock::now();
  // Markers before the index (design.md §13): packs named by a marker written
  // later are deleted only after the lease checked below.
  int64_t started = Now();
  std::unordered_set<Id, IdHash> seen_markers;
  {
    ASSIGN_OR_RETURN(auto markers, repo::LoadPruneMarkers(repo_));
    for (const auto& m : markers) seen_markers.insert(m.id);
  }
  RETURN_IF_ERROR(repo_.LoadIndex(nullptr, repo::MarkedPacks::kExclude));
  std::vector<std::string> paths;
  for (const auto& p : options_.paths) {
    std::error_code ec;
    auto abs = std::filesystem::absolute(p, ec).lexically_normal().string();
    if (abs.size() > 1 && abs.back() == '/') abs.pop_back();
    paths.push_back(abs);
  }
  std::sort(paths.begin(), paths.end());
  if (paths.empty()) return Fail(Code::kInvalidArgument, "nothing to back up: give at least one path");

  std::unique_ptr<SourceScanner> scanner;
  if (options_.scan_totals) scanner = std::make_unique<SourceScanner>(paths, options_.excludes, progress_);

  auto parent = FindParentSnapshot(paths);
  if (options_.parent && !parent) {
    return Fail(Code::kNotFound, fmt::format("parent snapshot {} not found", options_.parent->Hex()));
  }
  // The root holds one node per path given: small, read whole.
  std::vector<Node> parent_root;
  if (parent) {
    auto nodes = repo::ReadAllNodes(repo_, parent->snapshot.tree);
    if (nodes) {
      parent_root = std::move(*nodes);
    } else {
      LogInfo("parent snapshot's tree unreadable, every file will be read: {}", nodes.error().message());
    }
  }

  Tree root;
  for (const auto& path : paths) {
    std::string name = path == "/" ? "root" : std::filesystem::path(path).filename().string();
    if (std::any_of(root.nodes.begin(), root.nodes.end(), [&](const Node& n) { return n.name == name; })) {
      return Fail(Code::kInvalidArgument,
                  fmt::format("two paths end in the same name {:?}; back them up separately", name));
    }
    struct stat st{};
    if (::lstat(path.c_str(), &st) != 0) {
      Warn(path, PosixError(errno, "lstat " + path));
      continue;
    }
    root_device_ = st.st_dev;
    const Node* old = nullptr;
    for (const auto& n : parent_root) {
      if (n.name == name) old = &n;
    }
    if (S_ISDIR(st.st_mode)) {
      std::optional<Id> old_subtree;
      if (old && old->type == NodeType::kDirectory) old_subtree = old->subtree;
      auto node = BackupDirectory(path, st, name, old_subtree);
      if (!node) {
        if (node.error().code() == Code::kDataLoss || node.error().code() == Code::kUnavailable) {
          return Fail(node.error());
        }
        Warn(path, node.error());
        continue;
      }
      root.nodes.push_back(std::move(*node));
    } else if (S_ISREG(st.st_mode)) {
      FileOutcome outcome = readers_
                                .Async([&] {
                                  return BackupFile(AT_FDCWD, path.c_str(), path, NodeFromStat(name, st),
                                                    old && old->type == NodeType::kFile ? old : nullptr);
                                })
                                .get();
      if (outcome.node) root.nodes.push_back(Count(std::move(outcome)));
    } else {
      Node node = NodeFromStat(name, st);
      if (S_ISLNK(st.st_mode)) {
        std::error_code ec;
        node.link_target = std::filesystem::read_symlink(path, ec).string();
      }
      root.nodes.push_back(std::move(node));
    }
  }
  if (root.nodes.empty()) {
    return Fail(Code::kNotFound, "none of the given paths could be read; no snapshot written");
  }
  readers_.Wait();
  sealers_.Wait();
  ASSIGN_OR_RETURN(Id root_id, SaveTree(root));
  RETURN_IF_ERROR(saver_.Flush());
  if (scanner) scanner->Stop();
  if (options_.before_snapshot) options_.before_snapshot();
  RETURN_IF_ERROR(CheckPruneLease(started, seen_markers, root_id));

  repo::Snapshot snap;
  snap.time_ns = Now();
  snap.host = options_.host.empty() ? repo::HostName() : options_.host;
  snap.user = repo::UserName();
  snap.paths = paths;
  snap.tags = options_.tags;
  if (parent) snap.parent = parent->id;
  snap.tree = root_id;
  snap.program_version = "arkiv " ARKIV_VERSION;
  auto& s = snap.summary;
  s.files_new = files_new_;
  s.files_changed = files_changed_;
  s.files_unchanged = files_unchanged_;
  s.dirs = progress_.dirs_done;
  s.files_failed = warnings_.size();
  s.bytes_processed = bytes_read_;
  s.bytes_total = bytes_total_;
  s.blobs_added = saver_.stats().blobs_added;
  s.bytes_added = saver_.stats().bytes_added;
  s.bytes_stored = saver_.stats().bytes_stored;
  s.duration_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSIGN_OR_RETURN(Id snapshot_id, repo_.SaveFile(repo::FileKind::kSnapshot, snap.Serialize()));
  return BackupResult{snapshot_id, std::move(snap), std::move(warnings_), std::move(changed_while_read_),
                      blobs_recopied_};
}

}  // namespace

Result<BackupResult> RunBackup(repo::Repository& repo, const BackupOptions& options, BackupProgress& progress,
                               BackupObserver* observer) {
  Backup backup(repo, options, progress, observer);
  return backup.Run();
}

}  // namespace arkiv::engine
