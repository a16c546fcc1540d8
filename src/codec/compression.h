// Per-blob compression with zstd. A blob is stored raw when compressing it
// does not make it smaller, so incompressible data costs no extra bytes.
// Thread safety: both functions may be called concurrently.
#pragma once

#include <cstdint>

#include "core/bytes.h"
#include "core/status.h"

namespace arkiv::codec {

enum class Compression : uint8_t { kNone = 0, kZstd = 1 };

// Appends the encoded form of `data` to `out`; returns the method used.
// level 0 disables compression.
Compression Compress(ByteView data, int level, Bytes& out);

// kDataLoss unless `data` decodes to exactly `raw_size` bytes, or when
// raw_size exceeds 1 GiB (no blob is that large) or `method` is unknown.
Result<Bytes> Decompress(Compression method, ByteView data, uint64_t raw_size);

}  // namespace arkiv::codec
