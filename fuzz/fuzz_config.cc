// Config::Parse on the repository config's plaintext (JSON). Properties:
// what parses is within the documented ranges and survives a round trip.
#include "fuzz/fuzz_common.h"
#include "repo/config.h"

using namespace arkiv;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto config = repo::Config::Parse(ByteView(data, size));
  if (!config) return 0;
  FUZZ_CHECK(config->version >= 1 && config->version <= repo::kRepositoryVersion);
  FUZZ_CHECK(config->chunker.Validate().has_value());
  FUZZ_CHECK(config->compression_level >= 0 && config->compression_level <= 22);
  Bytes serialized = config->Serialize();
  auto reparsed = repo::Config::Parse(serialized);
  FUZZ_CHECK(reparsed.has_value());
  FUZZ_CHECK(reparsed->Serialize() == serialized);
  return 0;
}
