// A pack to its shard objects and back: erasure coding (erasure_code.h) plus
// the shard format (shard.h), with every check that ties the shards of one
// pack together. What the placement store puts on and gets from the clouds.
#pragma once

#include <vector>

#include "core/bytes.h"
#include "core/id.h"
#include "core/status.h"
#include "placement/erasure_code.h"
#include "placement/shard.h"

namespace arkiv::placement {

// The k + m shard objects of `pack`, shard i at index i.
// REQUIRES: pack_id == SHA-256(pack) (the pack's name; the caller has it).
std::vector<Bytes> SplitPack(const ErasureCode& code, const Id& pack_id, ByteView pack);

// Reassembles pack `pack_id` from parsed shards in any order (at least k
// distinct indices; repeated indices are ignored). kDataLoss if a shard
// belongs to another pack or disagrees with the first on k, m or the pack
// size, if fewer than k distinct shards are left, or if the decoded bytes do
// not hash to `pack_id`.
Result<Bytes> JoinPack(const Id& pack_id, std::vector<Shard> shards);

}  // namespace arkiv::placement
