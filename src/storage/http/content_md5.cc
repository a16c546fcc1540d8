#include "storage/http/content_md5.h"

#include <openssl/evp.h>

#include "core/hex.h"

namespace arkiv::storage::http {

std::string ContentMd5(ByteView data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_md5(), nullptr);
  return Base64Encode(ByteView(digest, size));
}

}  // namespace arkiv::storage::http
