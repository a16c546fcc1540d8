// OpenSealedFile on stored bytes: the first byte picks the kind (config,
// snapshot, index, lock), the rest is the object. Seeds are real objects
// sealed with FuzzKey(); fuzz_sealed_structured.cc reaches the framing and
// the payload parsers past authentication.
#include "fuzz/fuzz_common.h"
#include "repo/sealed_file.h"

using namespace arkiv;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static constexpr std::string_view kKinds[] = {"config", "snapshot", "index", "lock"};
  fuzz::InputReader in(data, size);
  std::string_view kind = kKinds[in.U8() % std::size(kKinds)];
  auto plain = repo::OpenSealedFile(fuzz::FuzzKey(), kind, in.Rest());
  if (plain) FUZZ_CHECK(plain->size() <= repo::kMaxSealedFileSize);
  return 0;
}
