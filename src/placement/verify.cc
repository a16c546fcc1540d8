#include "placement/verify.h"

#include "crypto/sha256.h"
#include "placement/shard.h"
#include "placement/shard_name.h"

namespace arkiv::placement {

Status VerifyCloudObject(std::string_view name, ByteView bytes) {
  if (auto shard_name = ParseShardName(name)) {
    ASSIGN_OR_RETURN(Shard shard, ParseShard(bytes));
    const ShardHeader& h = shard.header;
    if (h.pack_id.Hex() != *ContentHashOf(shard_name->pack) || h.index != shard_name->index ||
        h.data_shards != shard_name->k || h.parity_shards != shard_name->m || h.pack_size != shard_name->pack_size) {
      return Fail(Code::kDataLoss, "the shard's header does not match its name");
    }
    return OkStatus();
  }
  auto hash = ContentHashOf(name);
  if (hash && crypto::Sha256(bytes).Hex() != *hash) {
    return Fail(Code::kDataLoss, "content does not match its name (SHA-256)");
  }
  return OkStatus();
}

}  // namespace arkiv::placement
