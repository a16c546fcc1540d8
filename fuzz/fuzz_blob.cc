// OpenBlob on stored bytes: a 42-byte blob entry (as in a pack header or
// index) followed by the sealed blob. Seeds are real blobs sealed with
// FuzzKey(); fuzz_blob_structured.cc reaches decompression past
// authentication.
#include "fuzz/fuzz_common.h"
#include "repo/pack.h"

using namespace arkiv;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView in(data, size);
  if (size < repo::kBlobEntrySize) return 0;
  size_t pos = 0;
  auto entries = repo::ReadBlobEntries(in, &pos, 1, size - repo::kBlobEntrySize);
  if (!entries) return 0;
  FUZZ_CHECK(entries->size() == 1 && pos == repo::kBlobEntrySize);
  const repo::BlobEntry& entry = entries->front();
  auto plain = repo::OpenBlob(fuzz::FuzzKey(), entry, in.subspan(pos, entry.length), /*check_id=*/true);
  if (plain) FUZZ_CHECK(plain->size() == entry.raw_length);
  return 0;
}
