// A shard object as read from a store: placement::ParseShard, which needs no
// key. Seeds are real shards (SplitPack); fuzz_shard_structured.cc gets past
// the checksum.
// Properties: an accepted shard re-encodes to the input byte for byte, and
// ParseShardHeader on its first bytes gives the same header.
#include "fuzz/fuzz_common.h"
#include "placement/shard.h"

using namespace arkiv;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView object(data, size);
  auto header = placement::ParseShardHeader(object);
  auto shard = placement::ParseShard(object);
  if (!shard) return 0;
  FUZZ_CHECK(header.has_value() && *header == shard->header);
  FUZZ_CHECK(size == placement::kShardHeaderSize + shard->payload.size());
  auto again = placement::EncodeShard(shard->header, shard->payload);
  FUZZ_CHECK(again.has_value() && *again == Bytes(object.begin(), object.end()));
  return 0;
}
