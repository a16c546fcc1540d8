// Text rules shared by HTTP headers and the two request signers (AWS SigV4,
// Azure Shared Key): both sign header names in lower case and header values
// with their whitespace collapsed.
#pragma once

#include <string>
#include <string_view>

namespace arkiv::storage::http {

// ASCII letters to lower case; other bytes (UTF-8 too) unchanged.
std::string LowerAscii(std::string_view text);
// Without leading and trailing spaces, tabs, CR and LF.
std::string TrimWhitespace(std::string_view text);
// Trimmed, with every inner run of whitespace made one space (SigV4's
// "Trimall", Azure's canonicalized header value).
std::string CollapseWhitespace(std::string_view text);

}  // namespace arkiv::storage::http
