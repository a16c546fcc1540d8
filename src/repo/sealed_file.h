// Sealed files: how config, snapshots, indexes and locks are stored.
//
//   AES-256-GCM( version(1) || compression(1) || payload ),
//   associated data = "arkiv <kind>"
// The kind in the associated data stops an index being passed off as a
// snapshot, and so on. Payloads are zstd-compressed when that helps.
#pragma once

#include <string_view>

#include "core/bytes.h"
#include "core/status.h"
#include "repo/master_key.h"

namespace arkiv::repo {

inline constexpr uint8_t kSealedFileVersion = 1;
// Largest sealed file we agree to decompress: bounds memory on hostile input.
inline constexpr uint64_t kMaxSealedFileSize = 1ull << 30;

Bytes SealFile(const MasterKey& key, std::string_view kind, ByteView plaintext);
// kDataLoss if altered, of another kind, or from another repository.
Result<Bytes> OpenSealedFile(const MasterKey& key, std::string_view kind, ByteView sealed);

}  // namespace arkiv::repo
