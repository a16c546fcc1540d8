// Helpers for the repo and engine unit tests (header only: not part of the
// library). Small scrypt cost and small chunks/packs keep the tests fast.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "core/bytes.h"
#include "core/status.h"
#include "core/status_test_util.h"
#include "crypto/kdf.h"
#include "repo/repository.h"
#include "storage/store.h"

namespace arkiv::testing {

// Passes when `result` failed with `code`; says what happened otherwise.
template <typename T>
::testing::AssertionResult FailedWith(const std::expected<T, Error>& result, Code code) {
  if (result.has_value()) {
    return ::testing::AssertionFailure() << "succeeded; expected " << CodeName(code);
  }
  if (result.error().code() != code) {
    return ::testing::AssertionFailure() << "failed with " << result.error().ToString() << "; expected "
                                         << CodeName(code);
  }
  return ::testing::AssertionSuccess();
}

inline crypto::ScryptParams TestKdf() {
  return crypto::ScryptParams{1u << 10, 8, 1};
}

// Chunks of 4/16/64 KiB and 256 KiB packs: a few MB of data make many of each.
inline repo::InitOptions TestInitOptions() {
  repo::InitOptions options;
  options.kdf = TestKdf();
  options.chunker.min_size = 4 * 1024;
  options.chunker.avg_size = 16 * 1024;
  options.chunker.max_size = 64 * 1024;
  options.pack_size = 256 * 1024;
  return options;
}

inline constexpr std::string_view kTestPassword = "correct horse battery staple";

inline uint64_t SplitMix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Deterministic incompressible bytes (splitmix64). Different seeds start at
// unrelated points of the sequence, so no two seeds share a run of bytes
// (which content-defined chunking would find and deduplicate).
inline Bytes PseudoRandomBytes(size_t n, uint64_t seed) {
  Bytes out(n);
  uint64_t state = SplitMix64(SplitMix64(seed + 0x632be59bd9b4e019ull));
  for (size_t i = 0; i < n; i += 8) {
    uint64_t z = SplitMix64(state += 0x9e3779b97f4a7c15ull);
    for (size_t k = 0; k < 8 && i + k < n; ++k) out[i + k] = static_cast<uint8_t>(z >> (8 * k));
  }
  return out;
}

// Deterministic, highly compressible text.
inline Bytes CompressibleBytes(size_t n, uint64_t seed) {
  std::string line = "line " + std::to_string(seed) + ": the quick brown fox jumps over the lazy dog\n";
  Bytes out;
  out.reserve(n);
  while (out.size() < n) out.push_back(static_cast<uint8_t>(line[out.size() % line.size()]));
  return out;
}

// A store that forwards to another and fails the calls `fail` selects.
class FailingStore : public storage::Store {
 public:
  enum class Op { kPut, kGet, kStat, kList, kRemove };
  using Predicate = std::function<bool(Op, std::string_view name)>;

  FailingStore(std::shared_ptr<storage::Store> inner, Predicate fail, Code code = Code::kUnavailable)
      : inner_(std::move(inner)), fail_(std::move(fail)), code_(code) {}

  std::string Location() const override { return "failing+" + inner_->Location(); }
  Status Put(std::string_view name, ByteView data, storage::PutMode mode) override {
    if (fail_(Op::kPut, name)) return Injected("put", name);
    return inner_->Put(name, data, mode);
  }
  Result<Bytes> Get(std::string_view name, uint64_t offset, uint64_t length) override {
    if (fail_(Op::kGet, name)) return Injected("get", name);
    return inner_->Get(name, offset, length);
  }
  Result<storage::ObjectInfo> Stat(std::string_view name) override {
    if (fail_(Op::kStat, name)) return Injected("stat", name);
    return inner_->Stat(name);
  }
  Status List(std::string_view prefix, const std::function<Status(const storage::ObjectInfo&)>& fn) override {
    if (fail_(Op::kList, prefix)) return Injected("list", prefix);
    return inner_->List(prefix, fn);
  }
  Status Remove(std::string_view name) override {
    if (fail_(Op::kRemove, name)) return Injected("remove", name);
    return inner_->Remove(name);
  }

 private:
  std::unexpected<Error> Injected(std::string_view op, std::string_view name) const {
    return Fail(code_, "injected " + std::string(op) + " failure for " + std::string(name));
  }

  std::shared_ptr<storage::Store> inner_;
  Predicate fail_;
  Code code_;
};

// Every object name in `store` with its size.
inline std::map<std::string, uint64_t> ListObjects(storage::Store& store) {
  std::map<std::string, uint64_t> objects;
  auto st = store.List("", [&](const storage::ObjectInfo& info) {
    objects.emplace(info.name, info.size);
    return OkStatus();
  });
  EXPECT_TRUE(st.has_value()) << st.error().ToString();
  return objects;
}

}  // namespace arkiv::testing
