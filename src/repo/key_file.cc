#include "repo/key_file.h"

#include <bit>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/hex.h"
#include "crypto/aead.h"
#include "crypto/random.h"
#include "repo/system_info.h"

namespace arkiv::repo {
namespace {
constexpr std::string_view kKeyAssociated = "arkiv key";
}

Result<KeyFile> KeyFile::Create(const MasterKey& master, std::string_view password,
                                const crypto::ScryptParams& params) {
  KeyFile key;
  key.created = NowRfc3339();
  key.host = HostName();
  key.user = UserName();
  key.params = params;
  key.salt = crypto::RandomBytes(32);
  ASSIGN_OR_RETURN(auto wrapping, crypto::DeriveKey(password, key.salt, params));
  key.data = crypto::Aead(wrapping).Seal(master.Serialize(), AsBytes(kKeyAssociated));
  return key;
}

Bytes KeyFile::Serialize() const {
  nlohmann::json j{{"version", version},      {"created", created},         {"host", host},
                   {"user", user},            {"kdf", "scrypt"},            {"n", params.n},
                   {"r", params.r},           {"p", params.p},              {"salt", Base64Encode(salt)},
                   {"data", Base64Encode(data)}};
  return ToBytes(j.dump(2) + "\n");
}

// A function-try-block: json::value() throws when a field has another type.
Result<KeyFile> KeyFile::Parse(ByteView bytes) try {
  if (bytes.size() > (1 << 20)) return Fail(Code::kDataLoss, "key file larger than 1 MiB");
  auto j = nlohmann::json::parse(AsString(bytes), nullptr, false);
  auto bad = [](std::string_view why) { return Fail(Code::kDataLoss, "key file is malformed: " + std::string(why)); };
  if (!j.is_object()) return bad("not a JSON object");
  // Key files are not authenticated: read every field defensively
  // (json::value() would throw on a field of the wrong type).
  auto text = [&](const char* field) -> std::optional<std::string> {
    auto it = j.find(field);
    if (it == j.end()) return std::string();
    if (!it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  if (!j.contains("version") || !j["version"].is_number_integer() || j["version"].get<int64_t>() != 1) {
    return bad("unsupported version");
  }
  if (!j.contains("kdf") || text("kdf") != "scrypt") return bad("unknown kdf");
  for (const char* field : {"n", "r", "p"}) {
    if (!j.contains(field) || !j[field].is_number_unsigned()) return bad(std::string("missing ") + field);
  }
  // get<uint32_t>() would truncate: r = 2^32 + 1 must not read as 1.
  if (j["r"].get<uint64_t>() > UINT32_MAX || j["p"].get<uint64_t>() > UINT32_MAX) return bad("scrypt r or p too large");
  for (const char* field : {"salt", "data"}) {
    if (!j.contains(field) || !j[field].is_string()) return bad(std::string("missing ") + field);
  }
  // Bounded here, before any derivation: a hostile file must not make
  // Unwrap allocate gigabytes, nor pass values that truncate into range.
  const crypto::ScryptParams params{.n = j["n"].get<uint64_t>(),
                                    .r = static_cast<uint32_t>(j["r"].get<uint64_t>()),
                                    .p = static_cast<uint32_t>(j["p"].get<uint64_t>())};
  if (Status in_range = crypto::CheckScryptParams(params); !in_range) return bad(in_range.error().message());
  auto created = text("created"), host = text("host"), user = text("user");
  if (!created || !host || !user) return bad("created, host and user must be strings");
  KeyFile key;
  key.created = std::move(*created);
  key.host = std::move(*host);
  key.user = std::move(*user);
  key.params = params;
  auto salt = Base64Decode(j["salt"].get<std::string>());
  auto data = Base64Decode(j["data"].get<std::string>());
  if (!salt || !data) return bad("bad base64");
  key.salt = std::move(*salt);
  key.data = std::move(*data);
  return key;
} catch (const nlohmann::json::exception& e) {
  return Fail(Code::kDataLoss, std::string("key file is malformed: ") + e.what());
}

Result<MasterKey> KeyFile::Unwrap(std::string_view password) const {
  ASSIGN_OR_RETURN(auto wrapping, crypto::DeriveKey(password, salt, params));
  auto plain = crypto::Aead(wrapping).Open(data, AsBytes(kKeyAssociated));
  if (!plain) return Fail(Code::kWrongPassword, "wrong password or no key found");
  return MasterKey::Parse(*plain);
}

}  // namespace arkiv::repo
