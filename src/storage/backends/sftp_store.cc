#include "storage/backends/sftp_store.h"

#include <fcntl.h>
#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <span>
#include <utility>
#include <vector>

#include "core/hex.h"
#include "crypto/random.h"
#include "storage/backends/sftp_posix_rename.h"

namespace arkiv::storage {
namespace {

// Inside the reserved name space, so no object name can collide with it.
constexpr std::string_view kTempPrefix = ".arkiv-tmp-";
static_assert(kTempPrefix.starts_with(kReservedNamePrefix));

// OpenSSH takes requests of up to 256 KiB; its largest read and write are
// 1 KiB less. Larger chunks mean fewer round trips.
constexpr size_t kChunk = size_t{255} * 1024;
constexpr size_t kReadsInFlight = 8;
// Most bytes a read allocates before they arrive (see ReadRange).
constexpr uint64_t kReadWindow = uint64_t{64} << 20;

std::string ParentOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
}

class Attributes {
 public:
  explicit Attributes(sftp_attributes attributes) : attributes_(attributes) {}
  ~Attributes() {
    if (attributes_ != nullptr) sftp_attributes_free(attributes_);
  }
  Attributes(const Attributes&) = delete;
  Attributes& operator=(const Attributes&) = delete;
  explicit operator bool() const { return attributes_ != nullptr; }
  bool regular() const { return attributes_->type == SSH_FILEXFER_TYPE_REGULAR; }
  bool directory() const { return attributes_->type == SSH_FILEXFER_TYPE_DIRECTORY; }
  uint64_t size() const { return attributes_->size; }

 private:
  sftp_attributes attributes_;
};

class File {
 public:
  explicit File(sftp_file file) : file_(file) {}
  ~File() {
    if (file_ != nullptr) sftp_close(file_);
  }
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  sftp_file get() const { return file_; }
  // 0 or the sftp_close error.
  int Close() { return file_ == nullptr ? 0 : sftp_close(std::exchange(file_, nullptr)); }

 private:
  sftp_file file_;
};

// Reads `length` bytes at `offset` into `out` one request at a time.
Status ReadSequentially(SshSession& session, sftp_file file, const std::string& path, std::string_view name,
                        uint64_t offset, uint64_t length, uint8_t* out) {
  session.BeginCall();
  if (sftp_seek64(file, offset) != 0) return Fail(session.LastError("seek " + path));
  for (uint64_t done = 0; done < length;) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(kChunk, length - done));
    session.BeginCall();
    ssize_t n = sftp_read(file, out + done, want);
    if (n < 0) return Fail(session.LastError("read " + path));
    if (n == 0) return Fail(Code::kDataLoss, fmt::format("{} shrank while being read", name));
    done += static_cast<uint64_t>(n);
  }
  return OkStatus();
}

// Fills `out` from `offset` with up to kReadsInFlight requests outstanding,
// so that a round trip is not paid per chunk. A server may answer a request
// with fewer bytes than asked; those gaps are read one by one at the end.
Status ReadPipelined(SshSession& session, sftp_file file, const std::string& path, std::string_view name,
                     uint64_t offset, std::span<uint8_t> out) {
  struct Request {
    uint64_t at;
    uint32_t length;
    uint32_t id;
  };
  std::deque<Request> in_flight;
  std::vector<std::pair<uint64_t, uint64_t>> gaps;
  // Replies left unread would answer this session's next requests.
  auto abandon = [&](const Error& e) {
    if (!in_flight.empty()) session.MarkBroken();
    return Fail(e);
  };
  uint64_t requested = 0;
  while (requested < out.size() || !in_flight.empty()) {
    while (in_flight.size() < kReadsInFlight && requested < out.size()) {
      uint32_t length = static_cast<uint32_t>(std::min<uint64_t>(kChunk, out.size() - requested));
      session.BeginCall();
      // libssh moves the file offset back after a short reply: set it each time.
      if (sftp_seek64(file, offset + requested) != 0) return abandon(session.LastError("seek " + path));
      int id = sftp_async_read_begin(file, length);
      if (id < 0) return abandon(session.LastError("read " + path));
      in_flight.push_back({requested, length, static_cast<uint32_t>(id)});
      requested += length;
    }
    Request request = in_flight.front();
    in_flight.pop_front();
    session.BeginCall();
    int got = sftp_async_read(file, out.data() + request.at, request.length, request.id);
    if (got < 0) return abandon(session.LastError("read " + path));
    if (got == 0) return abandon(Error(Code::kDataLoss, fmt::format("{} shrank while being read", name)));
    if (static_cast<uint32_t>(got) < request.length) gaps.emplace_back(request.at + got, request.at + request.length);
  }
  for (auto [from, to] : gaps) {
    RETURN_IF_ERROR(ReadSequentially(session, file, path, name, offset + from, to - from, out.data() + from));
  }
  return OkStatus();
}

Attributes StatPath(SshSession& session, const std::string& path) {
  session.BeginCall();
  return Attributes(sftp_stat(session.sftp(), path.c_str()));
}

}  // namespace

SftpStore::SftpStore(SftpLocation location, size_t max_sessions)
    : location_(std::move(location)), pool_(location_.endpoint, max_sessions) {}

std::string SftpStore::Location() const {
  const SshEndpoint& e = location_.endpoint;
  std::string user = e.user.empty() ? "" : e.user + "@";
  return e.port == 22 ? fmt::format("sftp://{}{}{}", user, e.host, location_.root)
                      : fmt::format("sftp://{}{}:{}{}", user, e.host, e.port, location_.root);
}

std::string SftpStore::PathOf(std::string_view name) const {
  return location_.root == "/" ? fmt::format("/{}", name) : fmt::format("{}/{}", location_.root, name);
}

Result<SshSessionPool::Lease> SftpStore::Session() {
  auto lease = pool_.Acquire();
  if (!lease) return Fail(lease.error().Context(Location()));
  return lease;
}

Status SftpStore::MakeDirectories(SshSession& session, const std::string& dir) const {
  if (dir == "/") return Fail(Code::kNotFound, "the server has no root directory");
  session.BeginCall();
  if (sftp_mkdir(session.sftp(), dir.c_str(), 0755) == 0) return OkStatus();
  int status = session.LastSftpStatus();
  if (status == SSH_FX_NO_SUCH_FILE && session.Healthy()) {
    RETURN_IF_ERROR(MakeDirectories(session, ParentOf(dir)));
    session.BeginCall();
    if (sftp_mkdir(session.sftp(), dir.c_str(), 0755) == 0) return OkStatus();
    status = session.LastSftpStatus();
  }
  if (status != SSH_FX_FILE_ALREADY_EXISTS && status != SSH_FX_FAILURE) {
    return Fail(session.LastError("create directory " + dir));
  }
  // Another put made it meanwhile, or an object has the name.
  Attributes attributes = StatPath(session, dir);
  if (attributes && attributes.directory()) return OkStatus();
  if (attributes) return Fail(Code::kFailedPrecondition, "a parent of the name is an object: " + dir);
  return Fail(session.LastError("create directory " + dir));
}

Result<std::string> SftpStore::WriteTemporary(SshSession& session, const std::string& dir, ByteView data) const {
  std::string temp = dir + "/" + std::string(kTempPrefix) + HexEncode(crypto::RandomBytes(8));
  session.BeginCall();
  sftp_file handle = sftp_open(session.sftp(), temp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (handle == nullptr && session.LastSftpStatus() == SSH_FX_NO_SUCH_FILE && session.Healthy()) {
    RETURN_IF_ERROR(MakeDirectories(session, dir));
    session.BeginCall();
    handle = sftp_open(session.sftp(), temp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  }
  if (handle == nullptr) return Fail(session.LastError("create " + temp));
  File file(handle);
  auto abandon = [&](const Error& e) {
    file.Close();
    if (session.Healthy()) {
      session.BeginCall();
      sftp_unlink(session.sftp(), temp.c_str());
    }
    return Fail(e);
  };
  for (size_t done = 0; done < data.size();) {
    size_t n = std::min(kChunk, data.size() - done);
    session.BeginCall();
    if (sftp_write(file.get(), data.data() + done, n) != static_cast<ssize_t>(n)) {
      return abandon(session.LastError("write " + temp));
    }
    done += n;
  }
  session.BeginCall();
  if (sftp_extension_supported(session.sftp(), "fsync@openssh.com", "1") == 1 && sftp_fsync(file.get()) != 0) {
    return abandon(session.LastError("fsync " + temp));
  }
  session.BeginCall();
  if (file.Close() != 0) return abandon(session.LastError("close " + temp));
  return temp;
}

Status SftpStore::Publish(SshSession& session, const std::string& temp, const std::string& path, PutMode mode) const {
  const bool posix_rename = mode == PutMode::kReplace && SupportsPosixRename(session);
  // An empty directory at `path` is what Remove leaves of a former prefix
  // ("a" after removing "a/b"): it may give way, once. Without posix-rename,
  // an existing object is removed first, once.
  bool removed_directory = false, removed_object = false;
  while (true) {
    session.BeginCall();
    Status renamed;
    if (posix_rename) {
      renamed = PosixRename(session, temp, path);
    } else if (sftp_rename(session.sftp(), temp.c_str(), path.c_str()) != 0) {
      renamed = Fail(session.LastError("rename to " + path));
    }
    if (renamed) return OkStatus();
    if (!session.Healthy()) return renamed;
    // OpenSSH says only "Failure" when the target exists: look at it.
    Attributes target = StatPath(session, path);
    if (!target) return renamed;
    if (target.regular()) {
      if (mode == PutMode::kCreateOnly) return Fail(Code::kAlreadyExists, "object exists");
      if (posix_rename || removed_object) return renamed;
      removed_object = true;
      session.BeginCall();
      if (sftp_unlink(session.sftp(), path.c_str()) != 0 && session.LastSftpStatus() != SSH_FX_NO_SUCH_FILE) {
        return Fail(session.LastError("remove " + path));
      }
      continue;
    }
    if (!target.directory()) return renamed;
    session.BeginCall();
    if (removed_directory || sftp_rmdir(session.sftp(), path.c_str()) != 0) {
      if (!session.Healthy()) return Fail(session.LastError("remove directory " + path));
      return Fail(Code::kFailedPrecondition, "the name is a directory of other objects");
    }
    removed_directory = true;
  }
}

Status SftpStore::Put(std::string_view name, ByteView data, PutMode mode) {
  RETURN_IF_ERROR(ValidateObjectName(name));
  auto context = [&](const Error& e) { return Fail(e.Context(fmt::format("{}: put {}", Location(), name))); };
  ASSIGN_OR_RETURN(auto session, Session());
  std::string path = PathOf(name);
  auto temp = WriteTemporary(*session, ParentOf(path), data);
  if (!temp) return context(temp.error());
  if (auto st = Publish(*session, *temp, path, mode); !st) {
    if (session->Healthy()) {
      session->BeginCall();
      sftp_unlink(session->sftp(), temp->c_str());
    }
    if (st.error().code() == Code::kAlreadyExists) {
      return Fail(Code::kAlreadyExists, fmt::format("{}: object {} already exists", Location(), name));
    }
    return context(st.error());
  }
  return OkStatus();
}

Status SftpStore::ReadRange(SshSession& session, const std::string& path, std::string_view name, uint64_t offset,
                            uint64_t length, Bytes& out) const {
  session.BeginCall();
  sftp_file handle = sftp_open(session.sftp(), path.c_str(), O_RDONLY, 0);
  if (handle == nullptr) {
    Error e = session.LastError("open " + path);
    if (e.code() == Code::kNotFound) return Fail(Code::kNotFound, fmt::format("object {} not found", name));
    return Fail(e);
  }
  File file(handle);
  Attributes attributes(sftp_fstat(file.get()));
  if (!attributes) return Fail(session.LastError("stat " + path));
  // Opening succeeds on directories: "data" is a prefix of objects, not one.
  if (!attributes.regular()) return Fail(Code::kNotFound, fmt::format("{} is not an object", name));
  uint64_t size = attributes.size();
  if (length == kToEnd) {
    if (offset > size) return Fail(Code::kInvalidArgument, fmt::format("offset {} past the end of {}", offset, name));
    length = size - offset;
  }
  if (offset > size || length > size - offset) {
    return Fail(Code::kInvalidArgument, fmt::format("range {}+{} outside {} ({} bytes)", offset, length, name, size));
  }
  if (length > kMaxObjectSize) {
    return Fail(Code::kDataLoss, fmt::format("{} claims {} bytes, more than any object", name, length));
  }
  // The size is the server's word: a hostile or broken server may claim
  // terabytes. The buffer grows a window at a time, each only after the
  // previous one was filled with bytes that did arrive (a short file ends
  // the read with kDataLoss), so a lie costs at most one window.
  out.clear();
  while (out.size() < length) {
    uint64_t done = out.size();
    out.resize(done + std::min<uint64_t>(kReadWindow, length - done));
    RETURN_IF_ERROR(
        ReadPipelined(session, file.get(), path, name, offset + done, std::span<uint8_t>(out).subspan(done)));
  }
  return OkStatus();
}

Result<Bytes> SftpStore::Get(std::string_view name, uint64_t offset, uint64_t length) {
  RETURN_IF_ERROR(ValidateObjectName(name));
  ASSIGN_OR_RETURN(auto session, Session());
  Bytes out;
  if (auto st = ReadRange(*session, PathOf(name), name, offset, length, out); !st) {
    return Fail(st.error().Context(fmt::format("{}: get {}", Location(), name)));
  }
  return out;
}

Result<ObjectInfo> SftpStore::Stat(std::string_view name) {
  RETURN_IF_ERROR(ValidateObjectName(name));
  ASSIGN_OR_RETURN(auto session, Session());
  Attributes attributes = StatPath(*session, PathOf(name));
  if (!attributes) {
    Error e = session->LastError(fmt::format("{}: stat {}", Location(), name));
    if (e.code() == Code::kNotFound) {
      return Fail(Code::kNotFound, fmt::format("{}: object {} not found", Location(), name));
    }
    return Fail(e);
  }
  if (!attributes.regular()) return Fail(Code::kNotFound, fmt::format("{}: {} is not an object", Location(), name));
  return ObjectInfo{std::string(name), attributes.size()};
}

Status SftpStore::ListDirectory(SshSession& session, const std::string& dir, const std::string& name_prefix,
                                std::string_view prefix, std::vector<ObjectInfo>& out) const {
  session.BeginCall();
  sftp_dir handle = sftp_opendir(session.sftp(), dir.c_str());
  if (handle == nullptr) {
    Error e = session.LastError("list " + dir);
    return e.code() == Code::kNotFound ? OkStatus() : Fail(e);
  }
  struct Entry {
    std::string name;
    bool directory;
    uint64_t size;
  };
  std::vector<Entry> entries;
  while (true) {
    session.BeginCall();
    sftp_attributes attributes = sftp_readdir(session.sftp(), handle);
    if (attributes == nullptr) break;
    Attributes owned(attributes);
    std::string_view n = attributes->name != nullptr ? attributes->name : "";
    if (n.empty() || n == "." || n == ".." || n.starts_with(kReservedNamePrefix)) continue;
    if (owned.directory() || owned.regular()) entries.push_back({std::string(n), owned.directory(), owned.size()});
  }
  bool complete = sftp_dir_eof(handle) != 0;
  session.BeginCall();
  sftp_closedir(handle);
  if (!complete) return Fail(session.LastError("list " + dir));
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.name < b.name; });
  for (const Entry& entry : entries) {
    std::string name = name_prefix + entry.name;
    if (entry.directory) {
      // Descend only where a name below could still match the prefix.
      std::string sub = name + "/";
      if (sub.starts_with(prefix) || prefix.starts_with(sub)) {
        RETURN_IF_ERROR(ListDirectory(session, dir + "/" + entry.name, sub, prefix, out));
      }
    } else if (std::string_view(name).starts_with(prefix)) {
      out.push_back(ObjectInfo{std::move(name), entry.size});
    }
  }
  return OkStatus();
}

Status SftpStore::List(std::string_view prefix, const std::function<Status(const ObjectInfo&)>& fn) {
  // Start at the deepest directory the prefix names entirely.
  size_t slash = prefix.rfind('/');
  std::string dir_part = slash == std::string_view::npos ? "" : std::string(prefix.substr(0, slash + 1));
  // No object name starts with a directory part that is not itself a valid
  // name ("/etc/", "../"), and walking it would leave the root.
  if (!dir_part.empty() && !ValidateObjectName(std::string_view(dir_part).substr(0, slash))) return OkStatus();
  std::string dir = dir_part.empty() ? location_.root : PathOf(dir_part.substr(0, dir_part.size() - 1));
  // Collect first and call `fn` without a session, so that `fn` may use the
  // store itself without waiting for a session this call holds.
  std::vector<ObjectInfo> objects;
  {
    ASSIGN_OR_RETURN(auto session, Session());
    if (auto st = ListDirectory(*session, dir, dir_part, prefix, objects); !st) {
      return Fail(st.error().Context(Location()));
    }
  }
  for (const ObjectInfo& object : objects) RETURN_IF_ERROR(fn(object));
  return OkStatus();
}

Status SftpStore::Remove(std::string_view name) {
  RETURN_IF_ERROR(ValidateObjectName(name));
  ASSIGN_OR_RETURN(auto session, Session());
  std::string path = PathOf(name);
  session->BeginCall();
  if (sftp_unlink(session->sftp(), path.c_str()) == 0) return OkStatus();
  Error e = session->LastError(fmt::format("{}: remove {}", Location(), name));
  bool missing = e.code() == Code::kNotFound;
  if (!missing && session->Healthy()) {
    // unlink() of a directory fails with EISDIR or EPERM, which SFTP reports
    // as a failure or a denial: a prefix of objects is no object.
    Attributes attributes = StatPath(*session, path);
    missing = attributes && attributes.directory();
  }
  if (missing) return Fail(Code::kNotFound, fmt::format("{}: object {} not found", Location(), name));
  return Fail(e);
}

}  // namespace arkiv::storage
