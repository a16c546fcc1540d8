// Shared by the fuzz targets and the corpus generator: the fixed repository
// key that every sealed seed is made with, and small helpers to read
// fuzzer bytes and to check properties.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "core/bytes.h"
#include "crypto/aead.h"
#include "repo/master_key.h"

namespace arkiv::fuzz {

// Not secret: seeds in fuzz/corpus are sealed with it.
inline const repo::MasterKey& FuzzKey() {
  static const repo::MasterKey key = [] {
    repo::MasterKey k;
    for (size_t i = 0; i < k.encryption.size(); ++i) k.encryption[i] = static_cast<uint8_t>(i);
    for (size_t i = 0; i < k.id_key.size(); ++i) k.id_key[i] = static_cast<uint8_t>(0x80 + i);
    return k;
  }();
  return key;
}

// The password the key-file seeds wrap FuzzKey() under.
inline constexpr std::string_view kFuzzPassword = "fuzz";

// Must match repo/pack.cc: a pack header is sealed with this associated data.
inline constexpr std::string_view kPackHeaderAssociated = "arkiv pack header";

// Seals arbitrary plaintext as a pack header, so a fuzzer can get past the
// header's authentication.
inline Bytes SealPackHeader(const repo::MasterKey& key, ByteView plaintext) {
  return crypto::Aead(key.encryption).Seal(plaintext, AsBytes(kPackHeaderAssociated));
}

// blobs || sealed header || u32 header length: a pack as repo/pack.h lays it out.
inline Bytes AssemblePack(ByteView blobs, ByteView sealed_header) {
  Bytes pack(blobs.begin(), blobs.end());
  pack.insert(pack.end(), sealed_header.begin(), sealed_header.end());
  PutU32(pack, static_cast<uint32_t>(sealed_header.size()));
  return pack;
}

// A property violation: report it and abort, which libFuzzer records as a crash.
[[noreturn]] inline void PropertyFailed(const char* what, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: fuzz property violated: %s\n", file, line, what);
  std::abort();
}

#define FUZZ_CHECK(cond) \
  ((cond) ? (void)0 : ::arkiv::fuzz::PropertyFailed(#cond, __FILE__, __LINE__))

// Consumes bytes from the front of the fuzzer's input.
class InputReader {
 public:
  InputReader(const uint8_t* data, size_t size) : rest_(data, size) {}
  uint8_t U8() {
    if (rest_.empty()) return 0;
    uint8_t v = rest_[0];
    rest_ = rest_.subspan(1);
    return v;
  }
  uint32_t U32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t(U8()) << (8 * i);
    return v;
  }
  ByteView Take(size_t n) {
    n = std::min(n, rest_.size());
    ByteView v = rest_.subspan(0, n);
    rest_ = rest_.subspan(n);
    return v;
  }
  ByteView Rest() const { return rest_; }

 private:
  ByteView rest_;
};

}  // namespace arkiv::fuzz
