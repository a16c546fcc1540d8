// Hex and base64 encodings for ids and JSON fields.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"

namespace arkiv {

std::string HexEncode(ByteView data);
// Returns nullopt on odd length or a non-hex character.
std::optional<Bytes> HexDecode(std::string_view hex);

std::string Base64Encode(ByteView data);
std::optional<Bytes> Base64Decode(std::string_view text);

// Strict UTF-8: no overlong forms, surrogates or values past U+10FFFF. File
// names are bytes; JSON fields that may not be UTF-8 are stored base64.
bool IsValidUtf8(std::string_view s);

}  // namespace arkiv
