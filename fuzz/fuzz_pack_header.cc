// A whole pack as read from a store: ReadPackHeader parses its trailer and
// sealed header; every blob it lists is then opened with OpenBlob.
// Seeds are real packs sealed with FuzzKey(); fuzz_pack_structured.cc reaches
// the header parser past authentication.
#include "fuzz/fuzz_common.h"
#include "repo/pack.h"

using namespace arkiv;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView pack(data, size);
  auto entries = repo::ReadPackHeader(fuzz::FuzzKey(), pack);
  if (!entries) return 0;
  uint64_t end = 0;
  for (const auto& entry : *entries) {
    FUZZ_CHECK(entry.offset == end);
    end += entry.length;
    FUZZ_CHECK(end + 4 <= size);
    (void)repo::OpenBlob(fuzz::FuzzKey(), entry, pack.subspan(entry.offset, entry.length));
  }
  return 0;
}
