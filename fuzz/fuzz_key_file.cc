// KeyFile::Parse on a key file (plain JSON, read before the password is
// known), a round trip, and Unwrap — with scrypt's cost clamped, since a key
// file may legitimately ask for seconds of work and gigabytes of memory.
// Invalid parameters stay invalid so that their rejection is exercised too.
#include <bit>

#include "fuzz/fuzz_common.h"
#include "repo/key_file.h"

using namespace arkiv;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto key = repo::KeyFile::Parse(ByteView(data, size));
  if (!key) return 0;
  Bytes serialized = key->Serialize();
  auto reparsed = repo::KeyFile::Parse(serialized);
  FUZZ_CHECK(reparsed.has_value());
  FUZZ_CHECK(reparsed->Serialize() == serialized);

  repo::KeyFile cheap = *key;
  auto& params = cheap.params;
  if (params.n > 16 && params.n <= crypto::kMaxScryptN && std::has_single_bit(params.n)) params.n = 16;
  if (params.r > 2 && params.r <= crypto::kMaxScryptR) params.r = 2;
  if (params.p > 1 && params.p <= crypto::kMaxScryptP) params.p = 1;
  auto master = cheap.Unwrap(fuzz::kFuzzPassword);
  if (master) FUZZ_CHECK(master->Serialize().size() > 0);
  return 0;
}
