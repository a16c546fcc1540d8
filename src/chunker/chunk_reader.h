// Cuts a byte stream (a file) into content-defined chunks.
//
// Owns a read buffer of 2 × max_size; each chunk is returned as its own
// buffer so that it can be hashed, compressed and encrypted on another
// thread while the reader goes on.
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
  // Keeps a reference: `chunker` must outlive the reader.
  ChunkReader(const Chunker& chunker, ReadFunction read);

  // The next chunk, or nullopt at the end of the stream.
  Result<std::optional<Bytes>> Next();

 private:
  Status Fill();

  const Chunker& chunker_;
  ReadFunction read_;
  Bytes buffer_;
  size_t start_ = 0;  // first unconsumed byte
  size_t end_ = 0;    // one past the last byte read
  bool at_end_ = false;
};

}  // namespace arkiv::chunker
