// Content-MD5 (RFC 1864): base64 of the MD5 of a body. S3 demands it with
// Object Lock; Azure checks it on upload. A transport check, not security.
#pragma once

#include <string>

#include "core/bytes.h"

namespace arkiv::storage::http {

std::string ContentMd5(ByteView data);

}  // namespace arkiv::storage::http
