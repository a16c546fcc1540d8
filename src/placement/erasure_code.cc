#include "placement/erasure_code.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <isa-l/erasure_code.h>

#include <algorithm>
#include <cstring>

namespace arkiv::placement {
namespace {

// ISA-L's coding runs over this many bytes at a time: its lengths are ints,
// and when more than four shards are computed it passes over the sources
// once per four, which then still hit the cache.
constexpr uint64_t kSegmentSize = uint64_t{64} * 1024;

// outputs[r] = Σ_j row_r[j] · sources[j] over `length` bytes, where `tables`
// are ISA-L's expansion (ec_init_tables) of outputs.size() rows.
void ApplyRows(const Bytes& tables, std::span<const uint8_t* const> sources, std::span<uint8_t* const> outputs,
               uint64_t length) {
  if (outputs.empty() || length == 0) return;
  std::vector<uint8_t*> in(sources.size());
  std::vector<uint8_t*> out(outputs.size());
  for (uint64_t done = 0; done < length; done += kSegmentSize) {
    uint64_t n = std::min(kSegmentSize, length - done);
    // ISA-L takes non-const pointers but only reads its sources.
    for (size_t j = 0; j < sources.size(); ++j) in[j] = const_cast<uint8_t*>(sources[j]) + done;
    for (size_t r = 0; r < outputs.size(); ++r) out[r] = outputs[r] + done;
    ec_encode_data(static_cast<int>(n), static_cast<int>(in.size()), static_cast<int>(out.size()),
                   const_cast<uint8_t*>(tables.data()), in.data(), out.data());
  }
}

Bytes ExpandTables(int k, ByteView rows) {
  int count = static_cast<int>(rows.size()) / k;
  Bytes tables(size_t(32) * k * std::max(count, 1));
  if (count > 0) ec_init_tables(k, count, const_cast<uint8_t*>(rows.data()), tables.data());
  return tables;
}

}  // namespace

uint64_t ShardSizeFor(uint64_t data_size, int data_shards) {
  uint64_t k = static_cast<uint64_t>(data_shards);
  return data_size / k + (data_size % k != 0 ? 1 : 0);
}

Result<ErasureCode> ErasureCode::Create(int data_shards, int parity_shards) {
  if (data_shards < 1 || parity_shards < 0 || data_shards + parity_shards > kMaxShards) {
    return Fail(Code::kInvalidArgument,
                fmt::format("erasure code {}+{}: need at least 1 data shard, no negative parity, and at most {} "
                            "shards in all",
                            data_shards, parity_shards, kMaxShards));
  }
  return ErasureCode(data_shards, parity_shards);
}

ErasureCode::ErasureCode(int k, int m) : k_(k), m_(m), matrix_(size_t(k + m) * k) {
  gf_gen_cauchy1_matrix(matrix_.data(), k + m, k);
  parity_tables_ = ExpandTables(k, ByteView(matrix_).subspan(size_t(k) * k));
}

std::vector<Bytes> ErasureCode::Encode(ByteView data) const {
  uint64_t size = ShardSize(data.size());
  std::vector<Bytes> shards(k_ + m_);
  std::vector<const uint8_t*> sources(k_);
  for (int i = 0; i < k_; ++i) {
    uint64_t begin = std::min<uint64_t>(i * size, data.size());
    uint64_t end = std::min<uint64_t>(begin + size, data.size());
    shards[i].reserve(size);
    shards[i].assign(data.begin() + begin, data.begin() + end);
    shards[i].resize(size);  // zero padding
    sources[i] = shards[i].data();
  }
  std::vector<uint8_t*> parity(m_);
  for (int p = 0; p < m_; ++p) {
    shards[k_ + p].resize(size);
    parity[p] = shards[k_ + p].data();
  }
  ApplyRows(parity_tables_, sources, parity, size);
  return shards;
}

Result<std::vector<int>> ErasureCode::PresentShards(std::span<const std::optional<Bytes>> shards) const {
  if (shards.size() != static_cast<size_t>(k_) + static_cast<size_t>(m_)) {
    return Fail(Code::kInvalidArgument,
                fmt::format("erasure code {}+{}: got {} shards, expected {}", k_, m_, shards.size(), k_ + m_));
  }
  std::vector<int> present;
  std::vector<int> missing;
  for (int i = 0; i < k_ + m_; ++i) (shards[i] ? present : missing).push_back(i);
  if (present.size() < size_t(k_)) {
    return Fail(Code::kDataLoss, fmt::format("erasure code {}+{}: found {} of {} shards (missing {}), need {}", k_, m_,
                                             present.size(), k_ + m_, fmt::join(missing, ", "), k_));
  }
  return present;
}

Result<Bytes> ErasureCode::RecoveryRows(std::span<const int> sources, std::span<const int> targets) const {
  // The rows of the sources form a k×k matrix A with A·data = sources, so
  // data = A⁻¹·sources, and shard t = row_t·data = (row_t·A⁻¹)·sources.
  Bytes a(size_t(k_) * k_);
  for (int r = 0; r < k_; ++r) std::memcpy(&a[size_t(r) * k_], &matrix_[size_t(sources[r]) * k_], k_);
  Bytes inverse(a.size());
  if (gf_invert_matrix(a.data(), inverse.data(), k_) != 0) {
    // Impossible for a Cauchy code with distinct sources; never decode with a wrong matrix.
    return Fail(Code::kInternal, fmt::format("erasure code {}+{}: singular decoding matrix for shards {}", k_, m_,
                                             fmt::join(sources, ", ")));
  }
  Bytes rows(targets.size() * k_);
  for (size_t t = 0; t < targets.size(); ++t) {
    const uint8_t* row = &matrix_[size_t(targets[t]) * k_];
    for (int j = 0; j < k_; ++j) {
      uint8_t sum = 0;
      for (int l = 0; l < k_; ++l) sum ^= gf_mul(row[l], inverse[size_t(l) * k_ + j]);
      rows[t * k_ + j] = sum;
    }
  }
  return rows;
}

Result<Bytes> ErasureCode::Decode(std::span<const std::optional<Bytes>> shards, uint64_t data_size) const {
  ASSIGN_OR_RETURN(std::vector<int> present, PresentShards(shards));
  uint64_t size = ShardSize(data_size);
  for (int i : present) {
    if (shards[i]->size() != size) {
      return Fail(Code::kInvalidArgument,
                  fmt::format("erasure code {}+{}: shard {} has {} bytes, expected {} for {} bytes of data", k_, m_, i,
                              shards[i]->size(), size, data_size));
    }
  }
  Bytes out(size * k_);
  std::vector<int> missing;
  for (int i = 0; i < k_; ++i) {
    if (shards[i]) {
      std::copy(shards[i]->begin(), shards[i]->end(), out.begin() + i * size);
    } else {
      missing.push_back(i);
    }
  }
  if (!missing.empty()) {
    // `present` is ascending, so the sources are the surviving data shards
    // first: the fewer parity shards used, the simpler the rows.
    std::span<const int> sources(present.data(), k_);
    ASSIGN_OR_RETURN(Bytes rows, RecoveryRows(sources, missing));
    std::vector<const uint8_t*> in(k_);
    for (int j = 0; j < k_; ++j) in[j] = shards[sources[j]]->data();
    std::vector<uint8_t*> targets;
    for (int i : missing) targets.push_back(out.data() + i * size);
    ApplyRows(ExpandTables(k_, rows), in, targets, size);
  }
  if (std::any_of(out.begin() + data_size, out.end(), [](uint8_t b) { return b != 0; })) {
    return Fail(Code::kDataLoss, fmt::format("erasure code {}+{}: decoded padding is not zero: the shards do not "
                                             "belong to one {}-byte object",
                                             k_, m_, data_size));
  }
  out.resize(data_size);
  return out;
}

Status ErasureCode::Reconstruct(std::vector<std::optional<Bytes>>& shards) const {
  ASSIGN_OR_RETURN(std::vector<int> present, PresentShards(shards));
  uint64_t size = shards[present[0]]->size();
  for (int i : present) {
    if (shards[i]->size() != size) {
      return Fail(Code::kInvalidArgument, fmt::format("erasure code {}+{}: shard {} has {} bytes, shard {} has {}", k_,
                                                      m_, present[0], size, i, shards[i]->size()));
    }
  }
  std::vector<int> missing;
  for (int i = 0; i < k_ + m_; ++i) {
    if (!shards[i]) missing.push_back(i);
  }
  if (missing.empty()) return OkStatus();
  std::span<const int> sources(present.data(), k_);
  ASSIGN_OR_RETURN(Bytes rows, RecoveryRows(sources, missing));
  std::vector<const uint8_t*> in(k_);
  for (int j = 0; j < k_; ++j) in[j] = shards[sources[j]]->data();
  std::vector<Bytes> rebuilt(missing.size(), Bytes(size));
  std::vector<uint8_t*> targets;
  for (Bytes& shard : rebuilt) targets.push_back(shard.data());
  ApplyRows(ExpandTables(k_, rows), in, targets, size);
  for (size_t t = 0; t < missing.size(); ++t) shards[missing[t]] = std::move(rebuilt[t]);
  return OkStatus();
}

}  // namespace arkiv::placement
