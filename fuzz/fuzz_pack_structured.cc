// Structured: a pack whose header plaintext the fuzzer chooses, sealed with
// FuzzKey(), so the header parser is fuzzed past authentication.
// Input: data length u16 | blob area (that many bytes) | header plaintext.
// Properties: accepted entries tile the blob area exactly, in order.
#include "fuzz/fuzz_common.h"
#include "repo/pack.h"

using namespace arkiv;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& key = fuzz::FuzzKey();
  fuzz::InputReader in(data, size);
  size_t data_length = in.U8();
  data_length |= size_t{in.U8()} << 8;
  ByteView blobs = in.Take(data_length);
  Bytes pack = fuzz::AssemblePack(blobs, fuzz::SealPackHeader(key, in.Rest()));
  auto entries = repo::ReadPackHeader(key, pack);
  if (!entries) return 0;
  uint64_t end = 0;
  for (const auto& entry : *entries) {
    FUZZ_CHECK(entry.offset == end);
    end += entry.length;
    (void)repo::OpenBlob(key, entry, ByteView(pack).subspan(entry.offset, entry.length));
  }
  FUZZ_CHECK(end == blobs.size());
  return 0;
}
