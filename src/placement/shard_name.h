// Names of the objects that hold a data pack on one cloud (design.md §20.2).
//
// Under `ec:K+M`, cloud i holds `data/<xx>/<sha256>.ec<K>+<M>.<i>.<size>`:
// the pack's name, the code, the shard index and the pack's length. The
// length in the name lets a listing report pack sizes without reading, and
// K+M keeps two policies' shards apart during a rebalance.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace arkiv::placement {

struct ShardName {
  std::string pack;  // "data/ab/ab12…"
  int k = 0;
  int m = 0;
  int index = 0;
  uint64_t pack_size = 0;
};

std::string FormatShardName(const ShardName& shard);
// The parts of a shard object's name; nullopt when `name` is not one.
std::optional<ShardName> ParseShardName(std::string_view name);

// True for names of data packs, the only objects that are erasure-coded.
bool IsDataPackName(std::string_view name);

// The SHA-256 (64 lower-case hex digits) an object's bytes must have, for
// objects named by their content (every object but `config`); nullopt for
// others.
std::optional<std::string_view> ContentHashOf(std::string_view name);

}  // namespace arkiv::placement
