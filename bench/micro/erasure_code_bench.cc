// Erasure coding throughput on one 16 MiB pack (the default pack size), in
// pack bytes per second: Encode (k+m shards), Decode with min(m, 2) data
// shards lost (the costly case: lost parity needs no decoding), Reconstruct
// of those shards, and SplitPack/JoinPack (coding plus shard framing and the
// SHA-256 checks).
//   build/bench/bench_erasure_code [--benchmark_filter=Encode]
#include <benchmark/benchmark.h>

#include <optional>
#include <random>

#include "crypto/sha256.h"
#include "placement/erasure_code.h"
#include "placement/pack_shards.h"

namespace arkiv::placement {
namespace {

constexpr size_t kPackSize = 16u << 20;

Bytes RandomPack() {
  std::mt19937_64 rng(1);
  Bytes pack(kPackSize);
  for (size_t i = 0; i < pack.size(); i += 8) {
    uint64_t z = rng();
    for (size_t b = 0; b < 8; ++b) pack[i + b] = static_cast<uint8_t>(z >> (8 * b));
  }
  return pack;
}

const Bytes& Pack() {
  static const Bytes pack = RandomPack();
  return pack;
}

ErasureCode CodeFor(const benchmark::State& state) {
  return *ErasureCode::Create(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
}

// All shards, with the first min(m, 2) data shards missing.
std::vector<std::optional<Bytes>> DegradedShards(const ErasureCode& code) {
  std::vector<Bytes> encoded = code.Encode(Pack());
  std::vector<std::optional<Bytes>> shards(encoded.begin(), encoded.end());
  for (int i = 0; i < std::min(code.parity_shards(), 2); ++i) shards[i].reset();
  return shards;
}

void BM_Encode(benchmark::State& state) {
  ErasureCode code = CodeFor(state);
  for (auto _ : state) benchmark::DoNotOptimize(code.Encode(Pack()));
  state.SetBytesProcessed(int64_t(state.iterations()) * kPackSize);
}

void BM_Decode(benchmark::State& state) {
  ErasureCode code = CodeFor(state);
  auto shards = DegradedShards(code);
  for (auto _ : state) benchmark::DoNotOptimize(*code.Decode(shards, kPackSize));
  state.SetBytesProcessed(int64_t(state.iterations()) * kPackSize);
}

void BM_Reconstruct(benchmark::State& state) {
  ErasureCode code = CodeFor(state);
  auto degraded = DegradedShards(code);
  for (auto _ : state) {
    state.PauseTiming();
    auto shards = degraded;
    state.ResumeTiming();
    benchmark::DoNotOptimize(code.Reconstruct(shards));
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * kPackSize);
}

void BM_SplitPack(benchmark::State& state) {
  ErasureCode code = CodeFor(state);
  Id id = crypto::Sha256(Pack());
  for (auto _ : state) benchmark::DoNotOptimize(SplitPack(code, id, Pack()));
  state.SetBytesProcessed(int64_t(state.iterations()) * kPackSize);
}

void BM_JoinPack(benchmark::State& state) {
  ErasureCode code = CodeFor(state);
  Id id = crypto::Sha256(Pack());
  std::vector<Bytes> objects = SplitPack(code, id, Pack());
  for (auto _ : state) {
    // Parsing (checksums) is part of reading shards back; the first
    // min(m, 2) data shards are lost.
    std::vector<Shard> shards;
    for (int i = std::min(code.parity_shards(), 2); i < code.total_shards(); ++i) {
      shards.push_back(*ParseShard(objects[i]));
    }
    benchmark::DoNotOptimize(*JoinPack(id, std::move(shards)));
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * kPackSize);
}

void Shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"k", "m"})->Args({2, 1})->Args({3, 2})->Args({4, 2})->Unit(benchmark::kMillisecond);
}

BENCHMARK(BM_Encode)->Apply(Shapes);
BENCHMARK(BM_Decode)->Apply(Shapes);
BENCHMARK(BM_Reconstruct)->Apply(Shapes);
BENCHMARK(BM_SplitPack)->Apply(Shapes);
BENCHMARK(BM_JoinPack)->Apply(Shapes);

}  // namespace
}  // namespace arkiv::placement

BENCHMARK_MAIN();
