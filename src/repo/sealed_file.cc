#include "repo/sealed_file.h"

#include <zstd.h>

#include "codec/compression.h"
#include "crypto/aead.h"

namespace arkiv::repo {
namespace {
std::string Associated(std::string_view kind) { return "arkiv " + std::string(kind); }
}  // namespace

Bytes SealFile(const MasterKey& key, std::string_view kind, ByteView plaintext) {
  Bytes framed{kSealedFileVersion, 0};
  // Store the raw size first so decompression can be bounded.
  PutU32(framed, static_cast<uint32_t>(plaintext.size()));
  PutU32(framed, static_cast<uint32_t>(static_cast<uint64_t>(plaintext.size()) >> 32));
  framed[1] = static_cast<uint8_t>(codec::Compress(plaintext, 3, framed));
  return crypto::Aead(key.encryption).Seal(framed, AsBytes(Associated(kind)));
}

Result<Bytes> OpenSealedFile(const MasterKey& key, std::string_view kind, ByteView sealed) {
  ASSIGN_OR_RETURN(Bytes framed, crypto::Aead(key.encryption).Open(sealed, AsBytes(Associated(kind))));
  if (framed.size() < 10 || framed[0] != kSealedFileVersion) {
    return Fail(Code::kDataLoss, "sealed " + std::string(kind) + " has an unknown version");
  }
  uint64_t raw_size = GetU32(&framed[2]) | uint64_t(GetU32(&framed[6])) << 32;
  if (raw_size > kMaxSealedFileSize) return Fail(Code::kDataLoss, "sealed file claims an implausible size");
  auto method = static_cast<codec::Compression>(framed[1]);
  return codec::Decompress(method, ByteView(framed).subspan(10), raw_size);
}

}  // namespace arkiv::repo
