#include "chunker/chunk_reader.h"

#include <cstring>

namespace arkiv::chunker {

ChunkReader::ChunkReader(const Chunker& chunker, ReadFunction read, Bytes& buffer)
    : chunker_(chunker), read_(std::move(read)), buffer_(buffer) {}

Status ChunkReader::Fill() {
  size_t capacity = 2 * static_cast<size_t>(chunker_.params().max_size);
  if (buffer_.size() < capacity) buffer_.resize(capacity);
  if (start_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + start_, end_ - start_);
    end_ -= start_;
    start_ = 0;
  }
  while (!at_end_ && end_ < buffer_.size()) {
    ASSIGN_OR_RETURN(size_t n, read_(buffer_.data() + end_, buffer_.size() - end_));
    if (n == 0) at_end_ = true;
    end_ += n;
  }
  return OkStatus();
}

Result<std::optional<Bytes>> ChunkReader::Next() {
  if (end_ - start_ < chunker_.params().max_size && !at_end_) RETURN_IF_ERROR(Fill());
  if (start_ == end_) return std::optional<Bytes>();
  ByteView pending(buffer_.data() + start_, end_ - start_);
  size_t cut = chunker_.FindBoundary(pending, at_end_);
  if (cut == 0) cut = pending.size();  // cannot happen after Fill; stay safe
  Bytes chunk(pending.begin(), pending.begin() + static_cast<ptrdiff_t>(cut));
  start_ += cut;
  return std::optional<Bytes>(std::move(chunk));
}

}  // namespace arkiv::chunker
