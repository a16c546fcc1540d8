// Cuts a byte stream (a file) into content-defined chunks.
//
// Streams: reads 1 MiB at a time and appends the bytes straight into the
// chunk being scanned, so memory is one read buffer plus the chunk itself
// (there is no max_size window to copy around). Each chunk is returned as
// its own buffer, to be hashed, compressed and encrypted on another thread
// while the reader goes on.
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "chunker/fastcdc.h"
#include "core/bytes.h"
#include "core/status.h"

namespace arkiv::chunker {

// Reads up to `size` bytes into `buffer`; returns the count, 0 at the end.
using ReadFunction = std::function<Result<size_t>(uint8_t* buffer, size_t size)>;

class ChunkReader {
 public:
  // Keeps a reference: `chunker` must outlive the reader. `size_hint` (the
  // file size, if known) sizes the first chunk's buffer.
  ChunkReader(const Chunker& chunker, ReadFunction read, uint64_t size_hint = 0);

  // The next chunk, or nullopt at the end of the stream.
  Result<std::optional<Bytes>> Next();

 private:
  static constexpr size_t kReadSize = 1 << 20;

  const Chunker& chunker_;
  ReadFunction read_;
  uint64_t remaining_hint_;
  std::unique_ptr<uint8_t[]> buffer_;
  size_t start_ = 0;  // first unconsumed byte
  size_t end_ = 0;    // one past the last byte read
  bool at_end_ = false;
};

}  // namespace arkiv::chunker
