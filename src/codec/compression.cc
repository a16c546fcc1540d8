#include "codec/compression.h"

#include <zstd.h>

#include <memory>

namespace arkiv::codec {
namespace {

struct CCtxFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxFree {
  void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};

// One context per thread: creating one costs more than compressing a small blob.
ZSTD_CCtx* ThreadCompressor() {
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxFree> ctx(ZSTD_createCCtx());
  return ctx.get();
}
ZSTD_DCtx* ThreadDecompressor() {
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxFree> ctx(ZSTD_createDCtx());
  return ctx.get();
}

// No blob is larger than this (chunks are at most 64 MiB, tree blobs far
// smaller): a larger raw_size comes from a corrupt or hostile header, and
// believing it would allocate that much before decoding a single byte.
constexpr uint64_t kMaxRawSize = 1ull << 30;

}  // namespace

Compression Compress(ByteView data, int level, Bytes& out) {
  size_t start = out.size();
  if (level > 0 && data.size() >= 64) {
    size_t bound = ZSTD_compressBound(data.size());
    out.resize(start + bound);
    size_t n = ZSTD_compressCCtx(ThreadCompressor(), out.data() + start, bound, data.data(), data.size(), level);
    if (!ZSTD_isError(n) && n < data.size()) {
      out.resize(start + n);
      return Compression::kZstd;
    }
  }
  out.resize(start);
  out.insert(out.end(), data.begin(), data.end());
  return Compression::kNone;
}

Result<Bytes> Decompress(Compression method, ByteView data, uint64_t raw_size) {
  if (raw_size > kMaxRawSize) return Fail(Code::kDataLoss, "blob claims an implausible size");
  switch (method) {
    case Compression::kNone:
      if (data.size() != raw_size) return Fail(Code::kDataLoss, "raw blob has the wrong length");
      return Bytes(data.begin(), data.end());
    case Compression::kZstd: {
      Bytes out(raw_size);
      size_t n = ZSTD_decompressDCtx(ThreadDecompressor(), out.data(), out.size(), data.data(), data.size());
      if (ZSTD_isError(n) || n != raw_size) return Fail(Code::kDataLoss, "zstd data corrupt or of the wrong length");
      return out;
    }
  }
  return Fail(Code::kDataLoss, "unknown compression method");
}

}  // namespace arkiv::codec
