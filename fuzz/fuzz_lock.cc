// LockInfo::Parse on a lock's plaintext (JSON), then what every lock
// listing does with a parsed lock: IsStale and Describe. Property: round trip.
#include "fuzz/fuzz_common.h"
#include "repo/lock.h"
#include "repo/system_info.h"

using namespace arkiv;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto lock = repo::LockInfo::Parse(ByteView(data, size));
  if (!lock) return 0;
  (void)lock->IsStale(repo::NowUnixNanos());
  (void)lock->Describe();
  Bytes serialized = lock->Serialize();
  auto reparsed = repo::LockInfo::Parse(serialized);
  FUZZ_CHECK(reparsed.has_value());
  FUZZ_CHECK(reparsed->Serialize() == serialized);
  return 0;
}
