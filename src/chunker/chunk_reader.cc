#include "chunker/chunk_reader.h"

#include <algorithm>

namespace arkiv::chunker {

ChunkReader::ChunkReader(const Chunker& chunker, ReadFunction read, uint64_t size_hint)
    : chunker_(chunker), read_(std::move(read)), remaining_hint_(size_hint) {}

Result<std::optional<Bytes>> ChunkReader::Next() {
  Bytes chunk;
  // Most chunks are near the average; a small file fits exactly.
  uint64_t guess = remaining_hint_ > 0 ? remaining_hint_ : 2ull * chunker_.params().avg_size;
  chunk.reserve(static_cast<size_t>(std::min<uint64_t>(guess, 2ull * chunker_.params().avg_size)));
  Chunker::ScanState state;
  for (;;) {
    if (start_ == end_) {
      if (at_end_) break;
      if (!buffer_) buffer_.reset(new uint8_t[kReadSize]);  // not zeroed: read() fills it
      ASSIGN_OR_RETURN(size_t n, read_(buffer_.get(), kReadSize));
      start_ = 0;
      end_ = n;
      if (n == 0) {
        at_end_ = true;
        break;
      }
    }
    bool cut = false;
    size_t used = chunker_.Scan(ByteView(buffer_.get() + start_, end_ - start_), state, &cut);
    chunk.insert(chunk.end(), buffer_.get() + start_, buffer_.get() + start_ + used);
    start_ += used;
    if (cut) break;
  }
  if (chunk.empty()) return std::optional<Bytes>();
  remaining_hint_ -= std::min<uint64_t>(remaining_hint_, chunk.size());
  return std::optional<Bytes>(std::move(chunk));
}

}  // namespace arkiv::chunker
