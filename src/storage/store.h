// The one storage interface every backend, wrapper and placement implements.
//
// A store holds immutable named objects. Names ("data/ab/ab12…",
// "snapshots/…") are relative paths in UTF-8 of at most 1024 bytes, made of
// '/'-separated parts of 1 to 255 bytes each; no part is "." or "..", none
// begins with ".arkiv-" (reserved for a store's own temporary state), and no
// control character or backslash appears. ValidateObjectName checks this.
// A name should not also be the directory of another name ("a" beside
// "a/b"): stores that map names to files cannot hold both and refuse the
// second with kFailedPrecondition; the repository layout never needs it.
// A prefix of other names is no object (Get/Stat/Remove of "a" give
// kNotFound while only "a/b" exists), and once "a/b" is removed, "a" may be
// put.
//
// Guarantees every implementation must give (the conformance suite in
// storage/testing checks them):
//  * Put is atomic: a reader sees the whole object or none; a crash mid-put
//    leaves no object (temporary state is invisible to Get/Stat/List).
//    Replacing an object is atomic as well: a concurrent reader gets the
//    old bytes or the new ones, never a mix.
//  * Read-after-write: a successful Put is visible to the next Get/Stat/List,
//    and a successful Remove to the next Get/Stat/List/Put.
//  * Get of a range that is not fully inside the object fails with
//    kInvalidArgument; it never returns fewer bytes than asked. An empty
//    range at the very end (offset == size, length 0 or kToEnd) is inside
//    and returns no bytes; offset > size is kInvalidArgument.
//  * List calls `fn` exactly once per object whose name starts with `prefix`,
//    compared byte by byte: "data/a" lists "data/a1" and "data/ab/x" alike.
//    The order is unspecified; `fn` is called from one thread at a time.
//
// Error codes: kNotFound (object missing), kAlreadyExists (PutMode::kCreateOnly
// and the object exists), kUnavailable (retry may help: network, 5xx,
// throttling), kPermissionDenied (credentials rejected; never retried),
// kResourceExhausted (disk full, quota), kInvalidArgument (bad name or range),
// kDataLoss (the store returned bytes it knows to be damaged or short),
// kFailedPrecondition (the name conflicts with a directory, see above; or
// what the store lives in, a bucket or container, does not exist:
// CreateLocation makes it).
// Messages name the store location and the object; never a credential.
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/status.h"

namespace arkiv::storage {

struct ObjectInfo {
  std::string name;
  uint64_t size = 0;
};

enum class PutMode {
  kReplace,     // atomically replace an existing object
  kCreateOnly,  // fail with kAlreadyExists if the object exists
};

struct StoreCapabilities {
  // True where kCreateOnly is enforced atomically by the server; otherwise it
  // is a check-then-put with a small race window.
  bool atomic_create_only = true;
  // True where objects are written under a retention lock the store keeps
  // (S3 Object Lock, Azure immutability; storage/retention.h).
  bool retains = false;
};

class Store {
 public:
  static constexpr uint64_t kToEnd = std::numeric_limits<uint64_t>::max();

  virtual ~Store() = default;

  // Where this store is, for messages ("file:///srv/backup"). No secrets.
  virtual std::string Location() const = 0;
  virtual StoreCapabilities Capabilities() const { return {}; }

  virtual Status Put(std::string_view name, ByteView data, PutMode mode = PutMode::kReplace) = 0;
  // Reads `length` bytes at `offset` (kToEnd: to the end of the object).
  virtual Result<Bytes> Get(std::string_view name, uint64_t offset = 0, uint64_t length = kToEnd) = 0;
  virtual Result<ObjectInfo> Stat(std::string_view name) = 0;
  // Reads like Get and hands the bytes to `check` (the caller can tell right
  // bytes from wrong ones, e.g. by authenticating them). A store with several
  // sources of the same bytes (the placement store) tries the others when
  // `check` fails. kDataLoss, with `check`'s message, when no source passes.
  virtual Result<Bytes> GetChecked(std::string_view name, uint64_t offset, uint64_t length,
                                   const std::function<Status(ByteView)>& check);
  // Stops early and returns the callback's error if it fails.
  virtual Status List(std::string_view prefix, const std::function<Status(const ObjectInfo&)>& fn) = 0;
  // kNotFound if the object does not exist.
  virtual Status Remove(std::string_view name) = 0;
  // Creates what the store lives in (an S3 bucket, an Azure container) if it
  // does not exist yet; succeeds if it does. Stores without one do nothing.
  virtual Status CreateLocation() { return OkStatus(); }
  // Where Capabilities().retains: makes the retention of `name` last the
  // store's whole period from now when less than half of it is left, so that
  // data still in use stays protected however old it is (prune calls it for
  // everything it keeps). kNotFound if `name` does not exist. Elsewhere, and
  // for bookkeeping names, nothing. Wrappers forward it.
  virtual Status RefreshRetention(std::string_view name) {
    (void)name;
    return OkStatus();
  }
};

// kInvalidArgument unless `name` is a valid object name (see above).
Status ValidateObjectName(std::string_view name);

// The SHA-256 a name says its object's bytes have: its last part when that
// is 64 lowercase hex digits ("data/ab/<sha256>", "index/<sha256>"), else
// nullopt. The repository names every object but `config` by the SHA-256 of
// exactly the bytes stored (repo/layout.h), and callers of Put must keep
// such names true: a store may use the name instead of hashing the bytes
// again (S3Store sends it as the signed payload hash, and S3 refuses a body
// that does not match it).
std::optional<std::string_view> ContentHashInName(std::string_view name);

// No object arkiv writes is larger: a pack is cut at --pack-size (at most
// 512 MiB) plus its last blob (at most 128 MiB) and header (16 MiB); a
// sealed file is at most 1 GiB. Stores refuse to read an answer or object
// beyond it (kDataLoss), so that a hostile or broken server cannot fill
// memory with an endless body.
inline constexpr uint64_t kMaxObjectSize = uint64_t{2} << 30;

// Parts of object names starting with this are never valid object names, so
// a store may use them for temporary files that List must not report.
inline constexpr std::string_view kReservedNamePrefix = ".arkiv-";

}  // namespace arkiv::storage
