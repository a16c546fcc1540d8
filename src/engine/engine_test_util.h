// Helpers for the engine unit tests (header only: not part of the library):
// temporary directories, file builders, a byte-and-metadata comparison of
// two directory trees, and backup/restore against a store.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "engine/backup.h"
#include "engine/check.h"
#include "engine/restore.h"
#include "repo/repo_test_util.h"
#include "repo/repository.h"
#include "storage/store.h"

namespace arkiv::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string templ = std::string(base && *base ? base : "/tmp") + "/arkiv-test-XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp: " << std::strerror(errno);
    }
    path_ = templ;
  }
  ~TempDir() {
    // Read-only directories (restored modes) would stop a non-root removal.
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(path_, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_directory(ec) && !it->is_symlink(ec)) ::chmod(it->path().c_str(), 0700);
    }
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(std::string_view relative) const { return path_ + "/" + std::string(relative); }

 private:
  std::string path_;
};

inline void WriteFile(const std::string& path, ByteView data, mode_t mode = 0644) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  ASSERT_GE(fd, 0) << "create " << path << ": " << std::strerror(errno);
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    ASSERT_GT(n, 0) << "write " << path;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
}
inline void WriteFile(const std::string& path, std::string_view text, mode_t mode = 0644) {
  WriteFile(path, AsBytes(text), mode);
}

inline Bytes ReadFile(const std::string& path) {
  Bytes out;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  EXPECT_GE(fd, 0) << "open " << path << ": " << std::strerror(errno);
  if (fd < 0) return out;
  uint8_t buffer[65536];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n <= 0) break;
    out.insert(out.end(), buffer, buffer + n);
  }
  ::close(fd);
  return out;
}

inline void MakeDir(const std::string& path, mode_t mode = 0755) {
  ASSERT_EQ(::mkdir(path.c_str(), mode), 0) << "mkdir " << path << ": " << std::strerror(errno);
}

// Sets mtime (and atime) without following a symlink.
inline void SetMtime(const std::string& path, int64_t mtime_ns) {
  timespec times[2] = {{mtime_ns / 1000000000, mtime_ns % 1000000000}, {mtime_ns / 1000000000, mtime_ns % 1000000000}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW), 0)
      << "utimensat " << path << ": " << std::strerror(errno);
}

inline struct stat Lstat(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << "lstat " << path << ": " << std::strerror(errno);
  return st;
}

inline int64_t MtimeNs(const struct stat& st) {
  return int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

// Directory entries (raw bytes, so non-UTF-8 names survive), sorted.
inline std::vector<std::string> ListDir(const std::string& path) {
  std::vector<std::string> names;
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return names;
  while (dirent* e = ::readdir(dir)) {
    std::string_view n = e->d_name;
    if (n != "." && n != "..") names.emplace_back(n);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

inline std::string Printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buf[5];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

// Compares the trees below `a` and `b`: names, types, permission bits,
// sizes, file bytes, symlink targets, mtimes (ns), owners and the grouping
// of hardlinks. Returns one line per difference.
class TreeComparer {
 public:
  std::vector<std::string> Compare(const std::string& a, const std::string& b) {
    CompareEntry(a, b, ".");
    // Hardlinks: paths sharing an inode in `a` must share one in `b`, and only they.
    std::map<std::string, ino_t> b_inode_of;
    for (const auto& [ino, paths] : b_inodes_) {
      for (const auto& p : paths) b_inode_of[p] = ino;
    }
    for (const auto& [ino, paths] : a_inodes_) {
      std::set<ino_t> in_b;
      for (const auto& p : paths) in_b.insert(b_inode_of[p]);
      if (in_b.size() != 1) differences_.push_back("hardlinks to " + Printable(*paths.begin()) + " not linked");
      if (b_inodes_[*in_b.begin()] != paths) differences_.push_back("extra links to " + Printable(*paths.begin()));
    }
    return differences_;
  }

 private:
  void Differ(const std::string& rel, const std::string& what) { differences_.push_back(Printable(rel) + ": " + what); }

  void CompareEntry(const std::string& a, const std::string& b, const std::string& rel) {
    struct stat sa {
    }, sb{};
    if (::lstat(a.c_str(), &sa) != 0) return Differ(rel, "missing in source");
    if (::lstat(b.c_str(), &sb) != 0) return Differ(rel, "missing in restore");
    if ((sa.st_mode & S_IFMT) != (sb.st_mode & S_IFMT)) return Differ(rel, "type differs");
    if (!S_ISLNK(sa.st_mode) && (sa.st_mode & 07777) != (sb.st_mode & 07777)) {
      Differ(rel, fmt::format("mode {:o} vs {:o}", sa.st_mode & 07777, sb.st_mode & 07777));
    }
    if (MtimeNs(sa) != MtimeNs(sb)) Differ(rel, fmt::format("mtime {} vs {}", MtimeNs(sa), MtimeNs(sb)));
    if (::geteuid() == 0 && (sa.st_uid != sb.st_uid || sa.st_gid != sb.st_gid)) Differ(rel, "owner differs");
    if (S_ISREG(sa.st_mode)) {
      if (sa.st_size != sb.st_size) Differ(rel, fmt::format("size {} vs {}", sa.st_size, sb.st_size));
      if (ReadFile(a) != ReadFile(b)) Differ(rel, "content differs");
      if (sa.st_nlink > 1) {
        a_inodes_[sa.st_ino].insert(rel);
        b_inodes_[sb.st_ino].insert(rel);
      }
    } else if (S_ISLNK(sa.st_mode)) {
      if (std::filesystem::read_symlink(a) != std::filesystem::read_symlink(b)) Differ(rel, "link target differs");
    } else if (S_ISDIR(sa.st_mode)) {
      auto names_a = ListDir(a), names_b = ListDir(b);
      if (names_a != names_b) Differ(rel, "entries differ");
      for (const auto& name : names_a) CompareEntry(a + "/" + name, b + "/" + name, rel + "/" + name);
    } else if ((S_ISCHR(sa.st_mode) || S_ISBLK(sa.st_mode)) && sa.st_rdev != sb.st_rdev) {
      Differ(rel, "device differs");
    }
  }

  std::vector<std::string> differences_;
  std::map<ino_t, std::set<std::string>> a_inodes_, b_inodes_;
};

inline std::vector<std::string> CompareTrees(const std::string& a, const std::string& b) {
  return TreeComparer().Compare(a, b);
}

inline std::unique_ptr<repo::Repository> InitRepository(std::shared_ptr<storage::Store> store) {
  auto repo = repo::Repository::Init(std::move(store), kTestPassword, TestInitOptions());
  EXPECT_TRUE(repo.has_value()) << repo.error().ToString();
  return repo ? std::move(*repo) : nullptr;
}

// Opens the repository afresh with its index loaded, as each command does.
inline std::unique_ptr<repo::Repository> OpenRepository(std::shared_ptr<storage::Store> store) {
  auto repo = repo::Repository::Open(std::move(store), kTestPassword);
  EXPECT_TRUE(repo.has_value()) << repo.error().ToString();
  if (!repo) return nullptr;
  auto st = (*repo)->LoadIndex();
  EXPECT_TRUE(st.has_value()) << st.error().ToString();
  return std::move(*repo);
}

class RecordingObserver : public engine::BackupObserver {
 public:
  void OnWarning(const std::string& path, const Error& error) override {
    std::lock_guard lock(mutex_);
    warnings.emplace_back(path, error);
  }
  void OnChangedWhileRead(const std::string& path, const std::string& what) override {
    std::lock_guard lock(mutex_);
    changed.emplace_back(path, what);
  }
  std::vector<std::pair<std::string, Error>> warnings;
  std::vector<std::pair<std::string, std::string>> changed;

 private:
  std::mutex mutex_;
};

inline engine::BackupOptions BackupOf(std::vector<std::string> paths) {
  engine::BackupOptions options;
  options.paths = std::move(paths);
  options.workers = 2;
  return options;
}

inline Result<engine::BackupResult> Backup(std::shared_ptr<storage::Store> store, const engine::BackupOptions& options,
                                           RecordingObserver* observer = nullptr) {
  auto repo = OpenRepository(std::move(store));
  if (!repo) return Fail(Code::kInternal, "could not open the test repository");
  engine::BackupProgress progress;
  return engine::RunBackup(*repo, options, progress, observer);
}

inline Result<engine::RestoreResult> Restore(std::shared_ptr<storage::Store> store, const Id& snapshot_id,
                                             const std::string& target, std::vector<std::string> includes = {},
                                             bool verify = false) {
  auto repo = OpenRepository(std::move(store));
  if (!repo) return Fail(Code::kInternal, "could not open the test repository");
  ASSIGN_OR_RETURN(auto record, repo->FindSnapshot(snapshot_id.Hex()));
  engine::RestoreOptions options;
  options.target = target;
  options.includes = std::move(includes);
  options.verify = verify;
  options.workers = 2;
  engine::RestoreProgress progress;
  return engine::RunRestore(*repo, record.snapshot.tree, options, progress);
}

// Data blobs the index knows, counted by pack header entries.
inline size_t DataBlobCount(std::shared_ptr<storage::Store> store) {
  auto repo = OpenRepository(std::move(store));
  size_t n = 0;
  if (!repo) return n;
  repo->index().ForEachPack([&](const repo::IndexedPack& pack) {
    for (const auto& blob : pack.blobs) n += blob.type == repo::BlobType::kData;
  });
  return n;
}

// Opens the repository on `store` afresh and checks it with --read-data.
inline engine::CheckReport CheckReadingData(const std::shared_ptr<storage::Store>& store) {
  auto repo = repo::Repository::Open(store, kTestPassword);
  EXPECT_TRUE(repo.has_value());
  if (!repo) return {};
  engine::CheckProgress progress;
  auto report = engine::RunCheck(**repo, engine::CheckOptions{.read_data = true}, progress);
  EXPECT_TRUE(report.has_value());
  return report.value_or(engine::CheckReport{});
}

}  // namespace arkiv::testing
