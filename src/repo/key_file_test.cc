#include "repo/key_file.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <tuple>

#include "core/hex.h"
#include "repo/repo_test_util.h"

namespace arkiv::repo {
namespace {

using arkiv::testing::FailedWith;
using arkiv::testing::TestKdf;
using nlohmann::json;

json ValidKeyJson() {
  return json{{"version", 1},
              {"created", "2024-01-01T00:00:00.000000000Z"},
              {"host", "h"},
              {"user", "u"},
              {"kdf", "scrypt"},
              {"n", 1024},
              {"r", 8},
              {"p", 1},
              {"salt", Base64Encode(ToBytes("0123456789abcdef0123456789abcdef"))},
              {"data", Base64Encode(ToBytes("not really a sealed key, but base64"))}};
}

Result<KeyFile> ParseJson(const json& j) {
  return KeyFile::Parse(ToBytes(j.dump()));
}

TEST(KeyFileTest, CreateSerializeParseUnwrapRoundTrip) {
  MasterKey master = MasterKey::Generate();
  ASSERT_OK_AND_ASSIGN(KeyFile key, KeyFile::Create(master, "hunter2", TestKdf()));
  EXPECT_EQ(key.salt.size(), 32u);
  EXPECT_FALSE(key.host.empty());

  ASSERT_OK_AND_ASSIGN(KeyFile parsed, KeyFile::Parse(key.Serialize()));
  EXPECT_EQ(parsed.version, 1);
  EXPECT_EQ(parsed.params.n, TestKdf().n);
  EXPECT_EQ(parsed.params.r, TestKdf().r);
  EXPECT_EQ(parsed.params.p, TestKdf().p);
  EXPECT_EQ(parsed.salt, key.salt);
  EXPECT_EQ(parsed.data, key.data);
  EXPECT_EQ(parsed.created, key.created);
  EXPECT_EQ(parsed.host, key.host);
  EXPECT_EQ(parsed.user, key.user);

  ASSERT_OK_AND_ASSIGN(MasterKey unwrapped, parsed.Unwrap("hunter2"));
  EXPECT_EQ(unwrapped.encryption, master.encryption);
  EXPECT_EQ(unwrapped.id_key, master.id_key);
}

TEST(KeyFileTest, TwoKeysForOneMasterDifferInSaltAndData) {
  MasterKey master = MasterKey::Generate();
  ASSERT_OK_AND_ASSIGN(KeyFile a, KeyFile::Create(master, "same", TestKdf()));
  ASSERT_OK_AND_ASSIGN(KeyFile b, KeyFile::Create(master, "same", TestKdf()));
  EXPECT_NE(a.salt, b.salt);
  EXPECT_NE(a.data, b.data);
}

TEST(KeyFileTest, WrongPasswordIsReportedAsSuch) {
  ASSERT_OK_AND_ASSIGN(KeyFile key, KeyFile::Create(MasterKey::Generate(), "right", TestKdf()));
  EXPECT_TRUE(FailedWith(key.Unwrap("wrong"), Code::kWrongPassword));
  EXPECT_TRUE(FailedWith(key.Unwrap(""), Code::kWrongPassword));
  EXPECT_TRUE(FailedWith(key.Unwrap("right "), Code::kWrongPassword));
}

TEST(KeyFileTest, AnyFlippedByteInDataOrSaltFailsToUnwrap) {
  ASSERT_OK_AND_ASSIGN(KeyFile key, KeyFile::Create(MasterKey::Generate(), "pw", TestKdf()));
  for (size_t i : {size_t{0}, key.data.size() / 2, key.data.size() - 1}) {
    KeyFile damaged = key;
    damaged.data[i] ^= 0x01;
    EXPECT_FALSE(damaged.Unwrap("pw").has_value()) << "flipped data byte " << i;
  }
  KeyFile damaged = key;
  damaged.salt[3] ^= 0x80;
  EXPECT_FALSE(damaged.Unwrap("pw").has_value());
  KeyFile truncated = key;
  truncated.data.resize(10);
  EXPECT_FALSE(truncated.Unwrap("pw").has_value());
}

TEST(KeyFileTest, ParseAcceptsAWellFormedFile) {
  ASSERT_OK_AND_ASSIGN(KeyFile key, ParseJson(ValidKeyJson()));
  EXPECT_EQ(key.params.n, 1024u);
  EXPECT_EQ(key.host, "h");
}

TEST(KeyFileTest, ParseRejectsMalformedJson) {
  for (std::string_view text : {"", "{", "not json", "[]", "null", "42", "\"key\"", "{\"version\":1"}) {
    EXPECT_TRUE(FailedWith(KeyFile::Parse(AsBytes(text)), Code::kDataLoss)) << text;
  }
}

TEST(KeyFileTest, ParseRejectsWrongVersion) {
  for (const json& version : {json(0), json(2), json(-1), json("1"), json(1.5), json(4294967297ull)}) {
    json j = ValidKeyJson();
    j["version"] = version;
    EXPECT_TRUE(FailedWith(ParseJson(j), Code::kDataLoss)) << version.dump();
  }
}

TEST(KeyFileTest, ParseRejectsMissingFields) {
  for (const char* field : {"version", "kdf", "n", "r", "p", "salt", "data"}) {
    json j = ValidKeyJson();
    j.erase(field);
    EXPECT_TRUE(FailedWith(ParseJson(j), Code::kDataLoss)) << "without " << field;
  }
}

TEST(KeyFileTest, ParseRejectsFieldsOfTheWrongType) {
  const std::pair<const char*, json> cases[] = {
      {"kdf", json(5)},         {"kdf", json("argon2id")}, {"n", json("1024")},     {"n", json(-1024)},
      {"r", json(8.5)},         {"salt", json(12)},        {"data", json::array()}, {"created", json(7)},
      {"host", json::object()}, {"user", json(false)},     {"salt", json("@@@")},   {"data", json("!not base64!")},
  };
  for (const auto& [field, value] : cases) {
    json j = ValidKeyJson();
    j[field] = value;
    EXPECT_TRUE(FailedWith(ParseJson(j), Code::kDataLoss)) << field << " = " << value.dump();
  }
}

// A hostile key file must not make Unwrap allocate gigabytes or loop for
// hours: the KDF parameters are bounded when the file is parsed.
TEST(KeyFileTest, ParseRejectsKdfParametersOutOfBounds) {
  const std::pair<const char*, json> cases[] = {
      {"n", json(uint64_t{1} << 40)},
      {"n", json((crypto::kMaxScryptN)*2)},
      {"n", json(1000)},  // not a power of two
      {"n", json(0)},
      {"n", json(1)},
      {"r", json(0)},
      {"r", json(crypto::kMaxScryptR + 1)},
      {"r", json((uint64_t{1} << 32) + 8)},  // would truncate to 8
      {"p", json(0)},
      {"p", json(crypto::kMaxScryptP + 1)},
      {"p", json((uint64_t{1} << 32) + 1)},
  };
  for (const auto& [field, value] : cases) {
    json j = ValidKeyJson();
    j[field] = value;
    EXPECT_TRUE(FailedWith(ParseJson(j), Code::kDataLoss)) << field << " = " << value.dump();
  }
  // Each value within its own bound, but together more than 1 GiB of
  // memory (n = 2^22, r = 8: 4 GiB) or more than 4 GiB of work (1 GiB in
  // each of 16 lanes): a few bytes of JSON must not cost gigabytes or minutes.
  for (const auto& [n, r, p] : {std::tuple{crypto::kMaxScryptN, 8, 1}, std::tuple{uint64_t{1} << 20, 8, 16},
                                std::tuple{uint64_t{1} << 17, 32, 16}}) {
    json j = ValidKeyJson();
    j["n"] = n;
    j["r"] = r;
    j["p"] = p;
    auto parsed = ParseJson(j);
    EXPECT_TRUE(FailedWith(parsed, Code::kDataLoss)) << n << " " << r << " " << p;
    if (!parsed) {
      EXPECT_NE(parsed.error().message().find("MiB"), std::string::npos) << parsed.error().message();
    }
  }
  // The corners themselves are allowed: 1 GiB in one lane, 4 GiB of work.
  for (const auto& [n, r, p] : {std::tuple{crypto::kMaxScryptN, 2, 1}, std::tuple{uint64_t{1} << 20, 8, 4}}) {
    json j = ValidKeyJson();
    j["n"] = n;
    j["r"] = r;
    j["p"] = p;
    SCOPED_TRACE(j.dump());
    EXPECT_OK(ParseJson(j));
  }
}

TEST(KeyFileTest, ParseRejectsHugeFiles) {
  std::string big(2 << 20, ' ');
  EXPECT_TRUE(FailedWith(KeyFile::Parse(AsBytes(big)), Code::kDataLoss));
}

TEST(KeyFileTest, UnwrapRefusesOutOfRangeParametersWithoutDeriving) {
  ASSERT_OK_AND_ASSIGN(KeyFile key, KeyFile::Create(MasterKey::Generate(), "pw", TestKdf()));
  key.params.n = uint64_t{1} << 40;
  EXPECT_TRUE(FailedWith(key.Unwrap("pw"), Code::kInvalidArgument));
}

}  // namespace
}  // namespace arkiv::repo
