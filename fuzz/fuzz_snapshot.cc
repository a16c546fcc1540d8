// Snapshot::Parse on a snapshot's plaintext (JSON). Property: what parses
// serializes to a form that parses again and serializes to the same bytes.
#include "fuzz/fuzz_common.h"
#include "repo/snapshot.h"

using namespace arkiv;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto snapshot = repo::Snapshot::Parse(ByteView(data, size));
  if (!snapshot) return 0;
  FUZZ_CHECK(snapshot->time_ns >= 0);
  Bytes serialized = snapshot->Serialize();
  auto reparsed = repo::Snapshot::Parse(serialized);
  FUZZ_CHECK(reparsed.has_value());
  FUZZ_CHECK(reparsed->time_ns == snapshot->time_ns && reparsed->tree == snapshot->tree &&
             reparsed->parent == snapshot->parent && reparsed->paths == snapshot->paths &&
             reparsed->tags == snapshot->tags && reparsed->host == snapshot->host);
  FUZZ_CHECK(reparsed->Serialize() == serialized);
  return 0;
}
