// Checks an object as one cloud holds it, without the password: a shard
// against its checksum and its name (pack, K, M, index, size), any other
// content-named object against the SHA-256 in its name. Used by reads that
// fall back to other clouds and by the per-cloud audit.
#pragma once

#include <string_view>

#include "core/bytes.h"
#include "core/status.h"

namespace arkiv::placement {

// kDataLoss saying what is wrong; OK for objects not named by content (config).
Status VerifyCloudObject(std::string_view name, ByteView bytes);

}  // namespace arkiv::placement
