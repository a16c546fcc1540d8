// Cryptographically secure random bytes (OpenSSL's DRBG).
#pragma once

#include "core/bytes.h"
#include "core/id.h"

namespace arkiv::crypto {

Bytes RandomBytes(size_t n);
Id RandomId();

}  // namespace arkiv::crypto
