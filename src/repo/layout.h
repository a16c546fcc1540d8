// Object names in a repository (docs/design.md, "Layout").
//
//   config                    sealed repository config
//   keys/<sha256>             key files (plain JSON)
//   snapshots/<sha256>        sealed snapshot
//   index/<sha256>            sealed index
//   locks/<sha256>            sealed lock
//   clouds/<sha256>           sealed cloud set (multi-cloud repositories)
//   prune/<sha256>            sealed prune marker: packs on their way out
//   data/<2 hex>/<sha256>     data pack    (placement: per policy)
//   tree/<2 hex>/<sha256>     tree pack    (placement: copied to every cloud)
//
// Every name but config is the SHA-256 of the object's bytes, so any copy of
// an object can be verified without the password.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/id.h"

namespace arkiv::repo {

enum class BlobType : uint8_t { kData = 0, kTree = 1 };
// kStatus: the newest result of a job (check, repair, drill) per host, for
// `arkiv status` on other machines (design.md §22), opaque to this layer.
// kClouds: the cloud set of a multi-cloud repository, opaque to this layer
// (placement/cloud_set.h, design.md §20.1).
// kPruneMarker: packs prune found unused, deleted only after a safety window
// (repo/prune_marker.h, design.md §13).
enum class FileKind { kKey, kSnapshot, kIndex, kLock, kClouds, kStatus, kPruneMarker };

inline constexpr std::string_view kConfigName = "config";

std::string_view FileKindPrefix(FileKind kind);  // "keys/", ...
std::string_view FileKindName(FileKind kind);    // "key", ...
std::string FileName(FileKind kind, const Id& id);
std::string PackName(BlobType type, const Id& id);
std::string_view PackPrefix(BlobType type);  // "data/" or "tree/"
std::string_view BlobTypeName(BlobType type);

// Parses the id out of "<prefix>[xx/]<hex>"; nullopt for foreign names.
std::optional<Id> IdFromName(std::string_view name);

}  // namespace arkiv::repo
