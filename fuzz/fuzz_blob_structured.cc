// Structured: blobs sealed with FuzzKey(), so OpenBlob's decompression and
// id check are fuzzed past authentication. The first byte's bit 0 picks:
//   0 honest: the rest is plaintext, sealed by SealBlob at level (byte >> 4) % 10;
//     property: OpenBlob gives it back
//   1 hostile writer: bit 1 = compression, bit 2 = check id; then raw length
//     u32, then the payload sealed as is (a zstd frame or raw bytes)
#include "crypto/keyed_hash.h"
#include "fuzz/fuzz_common.h"
#include "repo/pack.h"

using namespace arkiv;

namespace {
// See fuzz_sealed_structured.cc: larger sizes only cost allocation.
constexpr uint32_t kMaxFuzzRawLength = 1u << 20;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& key = fuzz::FuzzKey();
  fuzz::InputReader in(data, size);
  uint8_t flags = in.U8();
  if ((flags & 1) == 0) {
    ByteView plain = in.Rest();
    Id id = crypto::KeyedHash(key.id_key).Hash(plain);
    // Levels past 9 only make zstd slower (and reallocate its tables), not different to read.
    auto blob = repo::SealBlob(key, repo::BlobType::kData, id, plain, (flags >> 4) % 10);
    auto opened = repo::OpenBlob(key, blob.entry, blob.bytes, /*check_id=*/true);
    FUZZ_CHECK(opened.has_value());
    FUZZ_CHECK(std::equal(opened->begin(), opened->end(), plain.begin(), plain.end()));
    return 0;
  }
  repo::BlobEntry entry;
  entry.compression = (flags & 2) ? codec::Compression::kZstd : codec::Compression::kNone;
  bool check_id = (flags & 4) != 0;
  entry.raw_length = in.U32();
  if (entry.compression == codec::Compression::kZstd && entry.raw_length > kMaxFuzzRawLength) {
    entry.raw_length %= kMaxFuzzRawLength;
  }
  ByteView payload = in.Rest();
  entry.id = crypto::KeyedHash(key.id_key).Hash(payload);
  Bytes sealed = crypto::Aead(key.encryption).Seal(payload, entry.id.bytes());
  entry.length = static_cast<uint32_t>(sealed.size());
  auto opened = repo::OpenBlob(key, entry, sealed, check_id);
  if (opened) {
    FUZZ_CHECK(opened->size() == entry.raw_length);
    if (entry.compression == codec::Compression::kNone) {
      FUZZ_CHECK(std::equal(opened->begin(), opened->end(), payload.begin(), payload.end()));
    }
  }
  return 0;
}
