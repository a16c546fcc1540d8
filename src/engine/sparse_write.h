// Writes restored bytes so that all-zero blocks stay holes.
#pragma once

#include <cstdint>
#include <string>

#include "core/bytes.h"
#include "core/status.h"

namespace arkiv::engine {

// Writes `data` at `offset` of `fd`, leaving all-zero 64 KiB blocks of it
// unwritten: the file's final ftruncate makes them holes, so sparse files
// stay sparse. `path` is for messages.
Status WriteSparse(int fd, ByteView data, uint64_t offset, const std::string& path);

}  // namespace arkiv::engine
