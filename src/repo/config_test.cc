#include "repo/config.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "repo/repo_test_util.h"

namespace arkiv::repo {
namespace {

using arkiv::testing::FailedWith;
using nlohmann::json;

Config Sample() {
  Config c = Config::Create();
  c.chunker.min_size = 4096;
  c.chunker.avg_size = 16384;
  c.chunker.max_size = 65536;
  c.compression_level = 7;
  c.pack_size = 256 * 1024;
  return c;
}

json SampleJson() {
  return json::parse(AsString(Sample().Serialize()));
}
Result<Config> ParseJson(const json& j) {
  return Config::Parse(ToBytes(j.dump()));
}

TEST(ConfigTest, CreateChoosesRandomIdAndSeed) {
  Config a = Config::Create(), b = Config::Create();
  EXPECT_NE(a.id, b.id);
  EXPECT_NE(a.chunker.seed, b.chunker.seed);
  EXPECT_FALSE(a.id.IsZero());
  EXPECT_EQ(a.version, kRepositoryVersion);
}

TEST(ConfigTest, RoundTrip) {
  Config c = Sample();
  c.chunker.seed = 0xfedcba9876543210ull;  // needs all 64 bits
  ASSERT_OK_AND_ASSIGN(Config parsed, Config::Parse(c.Serialize()));
  EXPECT_EQ(parsed.version, c.version);
  EXPECT_EQ(parsed.id, c.id);
  EXPECT_EQ(parsed.created, c.created);
  EXPECT_EQ(parsed.chunker.min_size, c.chunker.min_size);
  EXPECT_EQ(parsed.chunker.avg_size, c.chunker.avg_size);
  EXPECT_EQ(parsed.chunker.max_size, c.chunker.max_size);
  EXPECT_EQ(parsed.chunker.seed, c.chunker.seed);
  EXPECT_EQ(parsed.compression_level, c.compression_level);
  EXPECT_EQ(parsed.pack_size, c.pack_size);
}

TEST(ConfigTest, NewerVersionIsFailedPrecondition) {
  for (const json& version :
       {json(kRepositoryVersion + 1), json(1000), json(uint64_t{1} << 63), json((uint64_t{1} << 32) + 1)}) {
    json j = SampleJson();
    j["version"] = version;
    auto parsed = ParseJson(j);
    EXPECT_TRUE(FailedWith(parsed, Code::kFailedPrecondition)) << version.dump();
    if (!parsed) {
      EXPECT_NE(parsed.error().message().find("upgrade"), std::string::npos);
    }
  }
}

TEST(ConfigTest, MalformedIsDataLoss) {
  for (std::string_view text : {"", "[]", "{", "null", "{}"}) {
    EXPECT_TRUE(FailedWith(Config::Parse(AsBytes(text)), Code::kDataLoss)) << text;
  }
  std::vector<std::pair<std::string, json>> cases = {
      {"version", json(0)},
      {"version", json(-3)},
      {"version", json("1")},
      {"id", json("not an id")},
      {"id", json(42)},
      {"created", json(1)},
      {"chunker", json(5)},
      {"chunker", json{{"min_size", 4096}, {"avg_size", 16384}}},
      {"chunker", json{{"min_size", 4096}, {"avg_size", 10000}, {"max_size", 65536}, {"seed", 1}}},
      {"chunker",
       json{{"min_size", 4096}, {"avg_size", 16384}, {"max_size", (uint64_t{1} << 32) + 65536}, {"seed", 1}}},
      {"chunker", json{{"min_size", -1}, {"avg_size", 16384}, {"max_size", 65536}, {"seed", 1}}},
      {"compression_level", json(23)},
      {"compression_level", json(-1)},
      {"compression_level", json("3")},
      {"pack_size", json(1024)},
      {"pack_size", json(uint64_t{1} << 31)},
      {"pack_size", json((uint64_t{1} << 32) + (1 << 20))},  // would truncate to 1 MiB
  };
  for (const auto& [field, value] : cases) {
    json j = SampleJson();
    j[field] = value;
    EXPECT_TRUE(FailedWith(ParseJson(j), Code::kDataLoss)) << field << " = " << value.dump();
  }
  for (const char* field : {"version", "id", "chunker", "compression_level", "pack_size"}) {
    json j = SampleJson();
    j.erase(field);
    EXPECT_TRUE(FailedWith(ParseJson(j), Code::kDataLoss)) << "without " << field;
  }
}

}  // namespace
}  // namespace arkiv::repo
