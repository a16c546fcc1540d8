// Structured: past the shard checksum, and through the erasure code.
// Input: mode u8, then
//   mode even: range offset u32 | range length u32 | up to 8 pieces of
//     (length u16 | bytes); the harness fixes each piece's checksum, parses
//     it (ParseShard), maps the range over the first shard's pack
//     (ShardRangesFor) and joins the accepted shards (JoinPack);
//   mode odd: k−1 u8 | m u8 | lost-shards mask u32 | data: Encode, lose up
//     to m shards, Decode and Reconstruct.
// Properties: a joined pack has the size and SHA-256 its shards claim; the
// ranges of a range tile it in order inside the data shards; the code gives
// back exactly what it encoded.
#include <cstring>
#include <optional>

#include "crypto/sha256.h"
#include "fuzz/fuzz_common.h"
#include "placement/erasure_code.h"
#include "placement/pack_shards.h"
#include "placement/shard_range.h"

using namespace arkiv;

namespace {

constexpr size_t kChecksumOffset = 56;

// What EncodeShard would have written for these header fields and payload.
Bytes WithValidChecksum(ByteView piece) {
  Bytes object(piece.begin(), piece.end());
  if (object.size() < placement::kShardHeaderSize) return object;
  crypto::Sha256Stream hash;
  hash.Update(ByteView(object).subspan(0, kChecksumOffset));
  hash.Update(ByteView(object).subspan(placement::kShardHeaderSize));
  Id checksum = hash.Finish();
  std::memcpy(&object[kChecksumOffset], checksum.bytes().data(), Id::kSize);
  return object;
}

void CheckRanges(const placement::ShardHeader& h, uint64_t offset, uint64_t length) {
  auto ranges = placement::ShardRangesFor(h.data_shards, h.pack_size, offset, length);
  if (!ranges) {
    FUZZ_CHECK(offset > h.pack_size || length > h.pack_size - offset);
    return;
  }
  uint64_t at = offset;
  for (const auto& r : *ranges) {
    FUZZ_CHECK(r.shard >= 0 && r.shard < h.data_shards && r.length > 0);
    FUZZ_CHECK(r.payload_offset + r.length <= h.payload_size());
    FUZZ_CHECK(uint64_t(r.shard) * h.payload_size() + r.payload_offset == at);
    at += r.length;
  }
  FUZZ_CHECK(at == offset + length);
}

void FuzzShards(fuzz::InputReader& in) {
  uint64_t range_offset = in.U32();
  uint64_t range_length = in.U32();
  std::vector<placement::Shard> shards;
  for (int piece = 0; piece < 8 && !in.Rest().empty(); ++piece) {
    size_t length = in.U8();
    length |= size_t{in.U8()} << 8;
    auto shard = placement::ParseShard(WithValidChecksum(in.Take(length)));
    if (shard) shards.push_back(std::move(*shard));
  }
  if (shards.empty()) return;
  placement::ShardHeader first = shards[0].header;
  CheckRanges(first, range_offset, range_length);
  auto pack = placement::JoinPack(first.pack_id, std::move(shards));
  if (!pack) return;
  FUZZ_CHECK(pack->size() == first.pack_size);
  FUZZ_CHECK(crypto::Sha256(*pack) == first.pack_id);
}

void FuzzCode(fuzz::InputReader& in) {
  int k = in.U8() % 8 + 1;
  int m = in.U8() % 5;
  uint32_t mask = in.U32();
  auto code = placement::ErasureCode::Create(k, m);
  FUZZ_CHECK(code.has_value());
  ByteView data = in.Rest();
  std::vector<Bytes> shards = code->Encode(data);
  FUZZ_CHECK(shards.size() == size_t(k + m));
  std::vector<std::optional<Bytes>> partial(shards.begin(), shards.end());
  int lost = 0;
  for (int i = 0; i < k + m && lost < m; ++i) {
    if (mask & (1u << i)) {
      partial[i].reset();
      ++lost;
    }
  }
  auto decoded = code->Decode(partial, data.size());
  FUZZ_CHECK(decoded.has_value() && *decoded == Bytes(data.begin(), data.end()));
  FUZZ_CHECK(code->Reconstruct(partial).has_value());
  for (int i = 0; i < k + m; ++i) FUZZ_CHECK(partial[i].has_value() && *partial[i] == shards[i]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::InputReader in(data, size);
  if (in.U8() % 2 == 0) {
    FuzzShards(in);
  } else {
    FuzzCode(in);
  }
  return 0;
}
