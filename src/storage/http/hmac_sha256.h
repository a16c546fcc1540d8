// HMAC-SHA256 under a key of any length: the primitive of both request
// signers (SigV4 chains it, Shared Key applies it once). The result is a
// secret-derived value: never put it, or its key, in a message.
#pragma once

#include "core/bytes.h"

namespace arkiv::storage::http {

Bytes HmacSha256(ByteView key, ByteView message);

}  // namespace arkiv::storage::http
