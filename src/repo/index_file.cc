#include "repo/index_file.h"

namespace arkiv::repo {
namespace {

constexpr std::string_view kMagic = "ARKI";
constexpr uint8_t kVersion = 1;

void PutU64(Bytes& out, uint64_t v) {
  PutU32(out, static_cast<uint32_t>(v));
  PutU32(out, static_cast<uint32_t>(v >> 32));
}

class Reader {
 public:
  explicit Reader(ByteView in) : in_(in) {}
  bool Has(size_t n) const { return in_.size() - pos_ >= n; }
  uint32_t U32() {
    uint32_t v = GetU32(in_.data() + pos_);
    pos_ += 4;
    return v;
  }
  Id IdValue() {
    Id id = Id::FromBytes(in_.subspan(pos_, 32));
    pos_ += 32;
    return id;
  }
  ByteView in() const { return in_; }
  size_t* pos() { return &pos_; }
  bool AtEnd() const { return pos_ == in_.size(); }

 private:
  ByteView in_;
  size_t pos_ = 0;
};

}  // namespace

Bytes IndexFile::Serialize() const {
  Bytes out(kMagic.begin(), kMagic.end());
  out.push_back(kVersion);
  PutU32(out, static_cast<uint32_t>(supersedes.size()));
  for (const Id& id : supersedes) out.insert(out.end(), id.bytes().begin(), id.bytes().end());
  PutU32(out, static_cast<uint32_t>(packs.size()));
  for (const auto& pack : packs) {
    out.insert(out.end(), pack.id.bytes().begin(), pack.id.bytes().end());
    PutU64(out, pack.size);
    PutU32(out, static_cast<uint32_t>(pack.blobs.size()));
    for (const auto& blob : pack.blobs) AppendBlobEntry(out, blob);
  }
  return out;
}

Result<IndexFile> IndexFile::Parse(ByteView bytes) {
  auto bad = [](const char* why) { return Fail(Code::kDataLoss, std::string("index file is malformed: ") + why); };
  Reader r(bytes);
  if (!r.Has(9) || AsString(bytes.subspan(0, 4)) != kMagic || bytes[4] != kVersion) return bad("magic or version");
  *r.pos() = 5;
  IndexFile file;
  uint32_t superseded = r.U32();
  if (superseded > bytes.size() / 32) return bad("supersedes count");
  for (uint32_t i = 0; i < superseded; ++i) {
    if (!r.Has(32)) return bad("truncated supersedes");
    file.supersedes.push_back(r.IdValue());
  }
  if (!r.Has(4)) return bad("truncated");
  uint32_t packs = r.U32();
  if (packs > bytes.size() / 44) return bad("pack count");
  file.packs.reserve(packs);
  for (uint32_t i = 0; i < packs; ++i) {
    if (!r.Has(44)) return bad("truncated pack");
    IndexedPack pack;
    pack.id = r.IdValue();
    uint32_t lo = r.U32(), hi = r.U32();
    pack.size = uint64_t(lo) | uint64_t(hi) << 32;
    uint32_t count = r.U32();
    ASSIGN_OR_RETURN(pack.blobs, ReadBlobEntries(r.in(), r.pos(), count, pack.size));
    file.packs.push_back(std::move(pack));
  }
  if (!r.AtEnd()) return bad("trailing bytes");
  return file;
}

}  // namespace arkiv::repo
