// Cuts a byte stream (a file) into content-defined chunks.
//
// Reads through a caller-owned buffer (grown to 2 × max_size once, then
// reused across files, so small files cost no large allocation); each chunk
// is returned as its own buffer so that it can be hashed, compressed and
// encrypted on another thread while the reader goes on.
#pragma once

#include <functional>
#include <optional>

#include "chunker/fastcdc.h"
#include "core/bytes.h"
#include "core/status.h"

namespace arkiv::chunker {

// Reads up to `size` bytes into `buffer`; returns the count, 0 at the end.
using ReadFunction = std::function<Result<size_t>(uint8_t* buffer, size_t size)>;

class ChunkReader {
 public:
  // `buffer` must outlive the reader and not be shared with another reader.
  ChunkReader(const Chunker& chunker, ReadFunction read, Bytes& buffer);

  // The next chunk, or nullopt at the end of the stream.
  Result<std::optional<Bytes>> Next();

 private:
  Status Fill();

  const Chunker& chunker_;
  ReadFunction read_;
  Bytes& buffer_;
  size_t start_ = 0;  // first unconsumed byte
  size_t end_ = 0;    // one past the last byte read
  bool at_end_ = false;
};

}  // namespace arkiv::chunker
