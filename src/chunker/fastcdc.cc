#include "chunker/fastcdc.h"

#include <bit>

namespace arkiv::chunker {
namespace {

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// A mask of `bits` ones in the high half of the word: the high bits of the
// rolling gear hash depend on the last 64 bytes, the low ones on fewer.
uint64_t HighMask(int bits) { return bits <= 0 ? 0 : (~0ull << (64 - bits)); }

}  // namespace

Status ChunkerParams::Validate() const {
  if (min_size < 64 || !(min_size < avg_size) || !(avg_size < max_size) || max_size > (64u << 20) ||
      !std::has_single_bit(avg_size)) {
    return Fail(Code::kInvalidArgument,
                "chunker sizes must satisfy 64 <= min < avg < max <= 64 MiB with avg a power of two");
  }
  return OkStatus();
}

Chunker::Chunker(const ChunkerParams& params) : params_(params) {
  int bits = std::countr_zero(params.avg_size);
  mask_small_ = HighMask(bits + 2);
  mask_large_ = HighMask(bits - 2);
  uint64_t state = params.seed ^ 0x61726b6976636463ull;  // "arkivcdc"
  for (auto& g : gear_) g = SplitMix64(state);
}

size_t Chunker::Scan(ByteView data, ScanState& state, bool* cut) const {
  const uint64_t min = params_.min_size, avg = params_.avg_size, max = params_.max_size;
  const uint8_t* p = data.data();
  const size_t n = data.size();
  uint64_t length = state.length, fp = state.hash;
  size_t i = 0;
  *cut = false;
  // Bytes before min_size never end a chunk, and only the last 64 of them
  // influence the hash: skip the rest unhashed.
  if (length + 64 < min) {
    size_t skip = static_cast<size_t>(std::min<uint64_t>(n, min - 64 - length));
    i += skip;
    length += skip;
  }
  for (; i < n && length < min; ++i, ++length) fp = (fp << 1) + gear_[p[i]];
  for (; i < n && length < avg;) {
    fp = (fp << 1) + gear_[p[i++]];
    ++length;
    if ((fp & mask_small_) == 0) goto found;
  }
  for (; i < n && length < max;) {
    fp = (fp << 1) + gear_[p[i++]];
    ++length;
    if ((fp & mask_large_) == 0) goto found;
  }
  if (length == max) goto found;
  state.length = length;
  state.hash = fp;
  return i;
found:
  *cut = true;
  state = ScanState{};
  return i;
}

size_t Chunker::FindBoundary(ByteView data, bool at_end) const {
  ScanState state;
  bool cut = false;
  size_t n = Scan(data, state, &cut);
  if (cut) return n;
  return at_end ? data.size() : 0;
}

}  // namespace arkiv::chunker
