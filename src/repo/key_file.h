// Key files (`keys/<id>`): the master key wrapped under a password.
//
// Plain JSON, so the KDF parameters can be read before the password is
// known: {"version":1,"created","host","user","kdf":"scrypt","n","r","p",
// "salt":base64,"data":base64(AES-256-GCM(scrypt(password,salt), master))}.
// The object name is the SHA-256 of the file's bytes. See docs/design.md.
#pragma once

#include <string>

#include "core/bytes.h"
#include "core/status.h"
#include "crypto/kdf.h"
#include "repo/master_key.h"

namespace arkiv::repo {

struct KeyFile {
  int version = 1;
  std::string created;
  std::string host;
  std::string user;
  crypto::ScryptParams params;
  Bytes salt;
  Bytes data;  // sealed master key

  // Wraps `master` under `password` with fresh salt.
  static Result<KeyFile> Create(const MasterKey& master, std::string_view password, const crypto::ScryptParams& params);
  // kDataLoss when the bytes are not a key file.
  static Result<KeyFile> Parse(ByteView bytes);
  Bytes Serialize() const;
  // kWrongPassword when the password does not open this key.
  Result<MasterKey> Unwrap(std::string_view password) const;
};

}  // namespace arkiv::repo
