#include "repo/layout.h"

namespace arkiv::repo {

std::string_view FileKindPrefix(FileKind kind) {
  switch (kind) {
    case FileKind::kKey: return "keys/";
    case FileKind::kSnapshot: return "snapshots/";
    case FileKind::kIndex: return "index/";
    case FileKind::kLock: return "locks/";
    case FileKind::kClouds: return "clouds/";
    case FileKind::kStatus: return "status/";
    case FileKind::kPruneMarker: return "prune/";
  }
  return "";
}

std::string_view FileKindName(FileKind kind) {
  switch (kind) {
    case FileKind::kKey: return "key";
    case FileKind::kSnapshot: return "snapshot";
    case FileKind::kIndex: return "index";
    case FileKind::kLock: return "lock";
    case FileKind::kClouds: return "clouds";
    case FileKind::kStatus: return "status";
    case FileKind::kPruneMarker: return "prune";
  }
  return "";
}

std::string FileName(FileKind kind, const Id& id) { return std::string(FileKindPrefix(kind)) + id.Hex(); }

std::string_view PackPrefix(BlobType type) { return type == BlobType::kTree ? "tree/" : "data/"; }

std::string_view BlobTypeName(BlobType type) { return type == BlobType::kTree ? "tree" : "data"; }

std::string PackName(BlobType type, const Id& id) {
  std::string hex = id.Hex();
  return std::string(PackPrefix(type)) + hex.substr(0, 2) + "/" + hex;
}

std::optional<Id> IdFromName(std::string_view name) {
  size_t slash = name.rfind('/');
  return Id::Parse(slash == std::string_view::npos ? name : name.substr(slash + 1));
}

}  // namespace arkiv::repo
