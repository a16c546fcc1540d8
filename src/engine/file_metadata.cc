#include "engine/file_metadata.h"

#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>

#include <algorithm>
#include <mutex>
#include <unordered_map>

namespace arkiv::engine {
namespace {

std::string CachedName(uint32_t id, bool group) {
  static std::mutex mutex;
  static std::unordered_map<uint64_t, std::string> cache;
  uint64_t key = uint64_t(id) << 1 | (group ? 1 : 0);
  std::lock_guard lock(mutex);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  std::string name;
  char buf[4096];
  if (group) {
    struct group g {}, *result = nullptr;
    if (::getgrgid_r(id, &g, buf, sizeof(buf), &result) == 0 && result) name = result->gr_name;
  } else {
    struct passwd p {}, *result = nullptr;
    if (::getpwuid_r(id, &p, buf, sizeof(buf), &result) == 0 && result) name = result->pw_name;
  }
  cache.emplace(key, name);
  return name;
}

repo::NodeType TypeOf(mode_t mode) {
  if (S_ISDIR(mode)) return repo::NodeType::kDirectory;
  if (S_ISLNK(mode)) return repo::NodeType::kSymlink;
  if (S_ISBLK(mode)) return repo::NodeType::kBlockDevice;
  if (S_ISCHR(mode)) return repo::NodeType::kCharDevice;
  if (S_ISFIFO(mode)) return repo::NodeType::kFifo;
  if (S_ISSOCK(mode)) return repo::NodeType::kSocket;
  return repo::NodeType::kFile;
}

int64_t Nanos(const timespec& ts) { return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec; }

}  // namespace

repo::Node NodeFromStat(const std::string& name, const struct stat& st) {
  repo::Node node;
  node.name = name;
  node.type = TypeOf(st.st_mode);
  node.mode = st.st_mode & 07777;
  node.uid = st.st_uid;
  node.gid = st.st_gid;
  node.user = CachedName(st.st_uid, false);
  node.group = CachedName(st.st_gid, true);
  node.mtime_ns = Nanos(st.st_mtim);
  node.ctime_ns = Nanos(st.st_ctim);
  node.inode = st.st_ino;
  node.device = st.st_dev;
  node.links = st.st_nlink;
  if (node.type == repo::NodeType::kFile) node.size = static_cast<uint64_t>(st.st_size);
  if (node.type == repo::NodeType::kBlockDevice || node.type == repo::NodeType::kCharDevice) node.rdev = st.st_rdev;
  return node;
}

bool UnchangedSince(const repo::Node& now, const repo::Node& before) {
  return now.type == before.type && now.size == before.size && now.inode == before.inode &&
         now.mtime_ns == before.mtime_ns && now.ctime_ns == before.ctime_ns;
}

std::string ChangeWhileRead(const repo::Node& listed, const struct stat& after, uint64_t bytes_read) {
  if (after.st_ino != listed.inode || after.st_dev != listed.device) return "replaced by another file";
  const auto size_after = static_cast<uint64_t>(std::max<off_t>(after.st_size, 0));
  if (bytes_read != listed.size || size_after != listed.size) {
    return fmt::format("size changed: {} bytes when listed, {} read, {} after", listed.size, bytes_read, size_after);
  }
  if (Nanos(after.st_mtim) != listed.mtime_ns || Nanos(after.st_ctim) != listed.ctime_ns) {
    return "modified while it was read";
  }
  return "";
}

}  // namespace arkiv::engine
