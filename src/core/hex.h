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

// Standard base64 (RFC 4648 alphabet, '=' padding, no line breaks).
std::string Base64Encode(ByteView data);
// Returns nullopt unless `text` is canonical padded base64: length a multiple
// of 4, only alphabet characters, '=' only as the last one or two, and unused
// trailing bits zero. Whitespace is not skipped.
std::optional<Bytes> Base64Decode(std::string_view text);

// Strict UTF-8: no overlong forms, surrogates or values past U+10FFFF. File
// names are bytes; JSON fields that may not be UTF-8 are stored base64.
bool IsValidUtf8(std::string_view s);

}  // namespace arkiv
