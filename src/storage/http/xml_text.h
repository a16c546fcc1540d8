// Entity escaping for the XML that cloud APIs speak (S3, Azure).
#pragma once

#include <string>
#include <string_view>

namespace arkiv::storage {

// "&amp;" -> "&", numeric entities to UTF-8; unknown entities are kept as they are.
std::string XmlUnescape(std::string_view text);
// "<" -> "&lt;" etc. for text placed in a request body.
std::string XmlEscape(std::string_view text);

}  // namespace arkiv::storage
