#include "repo/master_key.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "core/hex.h"
#include "crypto/random.h"

namespace arkiv::repo {

MasterKey MasterKey::Generate() {
  MasterKey key;
  Bytes random = crypto::RandomBytes(64);
  std::copy_n(random.begin(), 32, key.encryption.begin());
  std::copy_n(random.begin() + 32, 32, key.id_key.begin());
  return key;
}

Bytes MasterKey::Serialize() const {
  nlohmann::json j{{"encryption", Base64Encode(encryption)}, {"id_key", Base64Encode(id_key)}};
  return ToBytes(j.dump());
}

Result<MasterKey> MasterKey::Parse(ByteView data) {
  auto j = nlohmann::json::parse(AsString(data), nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("encryption") || !j.contains("id_key") || !j["encryption"].is_string() ||
      !j["id_key"].is_string()) {
    return Fail(Code::kDataLoss, "master key record is malformed");
  }
  auto enc = Base64Decode(j["encryption"].get<std::string>());
  auto mac = Base64Decode(j["id_key"].get<std::string>());
  if (!enc || !mac || enc->size() != 32 || mac->size() != 32) {
    return Fail(Code::kDataLoss, "master key record has keys of the wrong size");
  }
  MasterKey key;
  std::copy_n(enc->begin(), 32, key.encryption.begin());
  std::copy_n(mac->begin(), 32, key.id_key.begin());
  return key;
}

}  // namespace arkiv::repo
