#include "placement/shard.h"

#include <fmt/format.h>

#include "crypto/sha256.h"
#include "placement/erasure_code.h"

namespace arkiv::placement {
namespace {

constexpr std::string_view kShardMagic = "ARKS";
constexpr size_t kChecksumOffset = 56;

void PutU64(Bytes& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
uint64_t GetU64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t(p[i]) << (8 * i);
  return v;
}

// The checksum covers the header fields before it and the payload.
Id Checksum(ByteView header_fields, ByteView payload) {
  crypto::Sha256Stream hash;
  hash.Update(header_fields);
  hash.Update(payload);
  return hash.Finish();
}

// Empty when the layout fields are consistent, else what is wrong with them.
std::string LayoutProblem(const ShardHeader& h) {
  if (h.data_shards < 1 || h.parity_shards < 0 || h.data_shards + h.parity_shards > ErasureCode::kMaxShards) {
    return fmt::format("erasure code {}+{} out of range (k ≥ 1, k+m ≤ {})", h.data_shards, h.parity_shards,
                       ErasureCode::kMaxShards);
  }
  if (h.index < 0 || h.index >= h.data_shards + h.parity_shards) {
    return fmt::format("shard index {} out of range for {}+{}", h.index, h.data_shards, h.parity_shards);
  }
  return "";
}

}  // namespace

uint64_t ShardHeader::payload_size() const {
  return ShardSizeFor(pack_size, data_shards);
}

Result<Bytes> EncodeShard(const ShardHeader& header, ByteView payload) {
  if (std::string problem = LayoutProblem(header); !problem.empty()) {
    return Fail(Code::kInvalidArgument, "shard: " + problem);
  }
  if (payload.size() != header.payload_size()) {
    return Fail(Code::kInvalidArgument,
                fmt::format("shard {} of pack {}: payload has {} bytes, expected {}", header.index,
                            header.pack_id.Hex(), payload.size(), header.payload_size()));
  }
  Bytes out(kShardMagic.begin(), kShardMagic.end());
  out.reserve(kShardHeaderSize + payload.size());
  out.push_back(kShardFormatVersion);
  out.push_back(static_cast<uint8_t>(header.data_shards));
  out.push_back(static_cast<uint8_t>(header.parity_shards));
  out.push_back(static_cast<uint8_t>(header.index));
  PutU64(out, header.pack_size);
  PutU64(out, payload.size());
  out.insert(out.end(), header.pack_id.bytes().begin(), header.pack_id.bytes().end());
  Id checksum = Checksum(out, payload);
  out.insert(out.end(), checksum.bytes().begin(), checksum.bytes().end());
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

Result<ShardHeader> ParseShardHeader(ByteView bytes) {
  if (bytes.size() < kShardHeaderSize) {
    return Fail(Code::kDataLoss,
                fmt::format("shard truncated: {} bytes, its header alone needs {}", bytes.size(), kShardHeaderSize));
  }
  if (AsString(bytes.subspan(0, 4)) != kShardMagic) return Fail(Code::kDataLoss, "shard has a bad magic (not ARKS)");
  if (bytes[4] != kShardFormatVersion) {
    return Fail(Code::kDataLoss, fmt::format("shard format version {} is not supported (this arkiv reads {})", bytes[4],
                                             kShardFormatVersion));
  }
  ShardHeader h;
  h.data_shards = bytes[5];
  h.parity_shards = bytes[6];
  h.index = bytes[7];
  h.pack_size = GetU64(&bytes[8]);
  h.pack_id = Id::FromBytes(bytes.subspan(24, Id::kSize));
  if (std::string problem = LayoutProblem(h); !problem.empty()) return Fail(Code::kDataLoss, "shard: " + problem);
  uint64_t payload_size = GetU64(&bytes[16]);
  if (payload_size != h.payload_size()) {
    return Fail(Code::kDataLoss,
                fmt::format("shard {} of pack {}: payload size {} does not match pack size {} over "
                            "{} data shards (expected {})",
                            h.index, h.pack_id.Hex(), payload_size, h.pack_size, h.data_shards, h.payload_size()));
  }
  return h;
}

Result<Shard> ParseShard(ByteView object) {
  ASSIGN_OR_RETURN(ShardHeader header, ParseShardHeader(object));
  uint64_t payload_size = header.payload_size();
  uint64_t actual = object.size() - kShardHeaderSize;
  if (actual != payload_size) {
    return Fail(
        Code::kDataLoss,
        fmt::format("shard {} of pack {}: {} by {} bytes (payload of {} bytes, header says {})", header.index,
                    header.pack_id.Hex(), actual < payload_size ? "truncated" : "too long",
                    actual < payload_size ? payload_size - actual : actual - payload_size, actual, payload_size));
  }
  ByteView payload = object.subspan(kShardHeaderSize);
  Id stored = Id::FromBytes(object.subspan(kChecksumOffset, Id::kSize));
  if (Checksum(object.subspan(0, kChecksumOffset), payload) != stored) {
    return Fail(Code::kDataLoss, fmt::format("shard {} of pack {}: checksum mismatch (header or payload damaged)",
                                             header.index, header.pack_id.Hex()));
  }
  return Shard{header, Bytes(payload.begin(), payload.end())};
}

}  // namespace arkiv::placement
