#include "placement/pack_shards.h"

#include <fmt/format.h>

#include <optional>

#include "crypto/sha256.h"

namespace arkiv::placement {

std::vector<Bytes> SplitPack(const ErasureCode& code, const Id& pack_id, ByteView pack) {
  std::vector<Bytes> payloads = code.Encode(pack);
  std::vector<Bytes> objects;
  objects.reserve(payloads.size());
  ShardHeader header{code.data_shards(), code.parity_shards(), 0, pack.size(), pack_id};
  for (size_t i = 0; i < payloads.size(); ++i) {
    header.index = static_cast<int>(i);
    // Cannot fail: the code's own k, m and payload sizes are consistent.
    objects.push_back(*EncodeShard(header, payloads[i]));
  }
  return objects;
}

Result<Bytes> JoinPack(const Id& pack_id, std::vector<Shard> shards) {
  if (shards.empty()) return Fail(Code::kDataLoss, fmt::format("pack {}: no shards", pack_id.Hex()));
  const ShardHeader& first = shards[0].header;
  for (const Shard& shard : shards) {
    const ShardHeader& h = shard.header;
    if (h.pack_id != pack_id) {
      return Fail(Code::kDataLoss,
                  fmt::format("pack {}: shard {} belongs to pack {}", pack_id.Hex(), h.index, h.pack_id.Hex()));
    }
    if (h.data_shards != first.data_shards || h.parity_shards != first.parity_shards ||
        h.pack_size != first.pack_size) {
      return Fail(Code::kDataLoss,
                  fmt::format("pack {}: shard {} says {}+{} and {} bytes, shard {} says {}+{} and {} bytes",
                              pack_id.Hex(), first.index, first.data_shards, first.parity_shards, first.pack_size,
                              h.index, h.data_shards, h.parity_shards, h.pack_size));
    }
  }
  ASSIGN_OR_RETURN(ErasureCode code, ErasureCode::Create(first.data_shards, first.parity_shards));
  uint64_t pack_size = first.pack_size;
  std::vector<std::optional<Bytes>> payloads(code.total_shards());
  for (Shard& shard : shards) {
    if (shard.header.index < 0 || shard.header.index >= code.total_shards()) {  // not from ParseShard
      return Fail(Code::kDataLoss, fmt::format("pack {}: shard index {} out of range for {}+{}", pack_id.Hex(),
                                               shard.header.index, first.data_shards, first.parity_shards));
    }
    auto& slot = payloads[shard.header.index];
    if (!slot) slot = std::move(shard.payload);
  }
  ASSIGN_OR_RETURN(Bytes pack, WithContext(code.Decode(payloads, pack_size), fmt::format("pack {}", pack_id.Hex())));
  if (crypto::Sha256(pack) != pack_id) {
    return Fail(Code::kDataLoss, fmt::format("pack {}: the bytes decoded from its shards do not match its id "
                                             "(a shard was written wrong: each one passed its own checksum)",
                                             pack_id.Hex()));
  }
  return pack;
}

}  // namespace arkiv::placement
