#include "repo/config.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "crypto/random.h"
#include "repo/system_info.h"

namespace arkiv::repo {

Config Config::Create() {
  Config config;
  config.id = crypto::RandomId();
  config.created = NowRfc3339();
  Bytes seed = crypto::RandomBytes(8);
  for (uint8_t b : seed) config.chunker.seed = config.chunker.seed << 8 | b;
  return config;
}

Bytes Config::Serialize() const {
  nlohmann::json j{{"version", version},
                   {"id", id.Hex()},
                   {"created", created},
                   {"chunker",
                    {{"min_size", chunker.min_size},
                     {"avg_size", chunker.avg_size},
                     {"max_size", chunker.max_size},
                     {"seed", chunker.seed}}},
                   {"compression_level", compression_level},
                   {"pack_size", pack_size}};
  return ToBytes(j.dump(2) + "\n");
}

Result<Config> Config::Parse(ByteView bytes) {
  auto j = nlohmann::json::parse(AsString(bytes), nullptr, false);
  auto bad = [](std::string_view why) { return Fail(Code::kDataLoss, fmt::format("config is malformed: {}", why)); };
  if (!j.is_object()) return bad("not a JSON object");
  if (!j.contains("version") || !j["version"].is_number_integer()) return bad("no version");
  Config config;
  config.version = j["version"].get<int>();
  if (config.version > kRepositoryVersion) {
    return Fail(Code::kFailedPrecondition,
                fmt::format("repository format version {} is newer than this arkiv supports ({}): upgrade arkiv",
                            config.version, kRepositoryVersion));
  }
  if (config.version < 1) return bad("bad version");
  auto id = Id::Parse(j.value("id", ""));
  if (!id) return bad("bad id");
  config.id = *id;
  config.created = j.value("created", "");
  const auto& c = j.value("chunker", nlohmann::json::object());
  if (!c.is_object()) return bad("bad chunker");
  for (const char* f : {"min_size", "avg_size", "max_size", "seed"}) {
    if (!c.contains(f) || !c[f].is_number_unsigned()) return bad(fmt::format("chunker.{} missing", f));
  }
  config.chunker.min_size = c["min_size"].get<uint32_t>();
  config.chunker.avg_size = c["avg_size"].get<uint32_t>();
  config.chunker.max_size = c["max_size"].get<uint32_t>();
  config.chunker.seed = c["seed"].get<uint64_t>();
  if (!config.chunker.Validate()) return bad("chunker sizes out of range");
  if (!j.contains("compression_level") || !j["compression_level"].is_number_integer()) return bad("no compression");
  config.compression_level = j["compression_level"].get<int>();
  if (config.compression_level < 0 || config.compression_level > 22) return bad("compression level out of range");
  if (!j.contains("pack_size") || !j["pack_size"].is_number_unsigned()) return bad("no pack_size");
  config.pack_size = j["pack_size"].get<uint32_t>();
  if (config.pack_size < (64u << 10) || config.pack_size > (1u << 30)) return bad("pack_size out of range");
  return config;
}

}  // namespace arkiv::repo
