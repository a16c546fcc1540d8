// arkiv_synthetic_repo: a seeded repository of many tiny blobs, written
// through the repo layer (real packs, index files, trees and snapshots) to a
// local directory, for the index scale benchmark (bench/index_bench.sh).
//
//   ARKIV_PASSWORD=... arkiv_synthetic_repo --repo DIR --blobs 10000000 [--seed 1]
//       [--blobs-per-file 100] [--files-per-dir 100] [--threads 2] [--kdf-cost 10]
//
// Shape: directories d000000… of `files-per-dir` files of `blobs-per-file`
// blobs of 16 bytes each ([seed u64][blob number u64], so every blob is
// distinct and the same seed makes the same blobs). The directories fall into
// ten groups of consecutive directories (so of consecutive packs); snapshot k
// (k = 0…3) holds groups k…k+6, like daily backups whose oldest data expires.
// Forgetting snapshots 0–2 leaves groups 0–2 (30% of the blobs) unused:
// mostly whole packs, and the packs on group boundaries partly used.
//
// Prints one JSON object: counts, the snapshot ids oldest first, a sample
// blob id (for `arkiv cat blob`), and the seconds taken.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "crypto/kdf.h"
#include "repo/blob_saver.h"
#include "repo/repository.h"
#include "repo/snapshot.h"
#include "repo/tree.h"
#include "storage/open_store.h"

namespace arkiv {
namespace {

constexpr int kGroups = 10;
constexpr int kSnapshots = 4;
constexpr int kGroupsPerSnapshot = 7;
constexpr size_t kBlobBytes = 16;

struct Options {
  std::string repo;
  uint64_t blobs = 1'000'000;
  uint64_t seed = 1;
  uint32_t blobs_per_file = 100;
  uint32_t files_per_dir = 100;
  unsigned threads = 2;
  int kdf_cost = crypto::kMinScryptCost;
};

Bytes BlobPlaintext(uint64_t seed, uint64_t n) {
  Bytes bytes(kBlobBytes);
  std::memcpy(bytes.data(), &seed, 8);
  std::memcpy(bytes.data() + 8, &n, 8);
  return bytes;
}

std::string DirName(uint64_t d) { return fmt::format("d{:06}", d); }

// Stores directory d's data blobs and its tree; returns the tree id.
Result<Id> WriteDirectory(repo::Repository& repo, repo::BlobSaver& saver, const Options& o, uint64_t d) {
  repo::Tree tree;
  uint64_t per_dir = uint64_t{o.blobs_per_file} * o.files_per_dir;
  uint64_t n = d * per_dir;
  for (uint32_t f = 0; f < o.files_per_dir && n < o.blobs; ++f) {
    repo::Node file;
    file.name = fmt::format("f{:04}", f);
    file.type = repo::NodeType::kFile;
    file.mode = 0644;
    file.mtime_ns = 1'700'000'000'000'000'000 + static_cast<int64_t>(n);
    file.ctime_ns = file.mtime_ns;
    for (uint32_t b = 0; b < o.blobs_per_file && n < o.blobs; ++b, ++n) {
      Bytes plain = BlobPlaintext(o.seed, n);
      Id id = repo.BlobId(plain);
      RETURN_IF_ERROR(saver.Save(repo::BlobType::kData, id, plain));
      file.content.push_back(id);
      file.size += plain.size();
    }
    tree.nodes.push_back(std::move(file));
  }
  Bytes bytes = tree.Serialize();
  Id id = repo.BlobId(bytes);
  RETURN_IF_ERROR(saver.Save(repo::BlobType::kTree, id, bytes));
  return id;
}

Result<nlohmann::json> Build(const Options& o, std::string_view password) {
  auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(auto store, storage::OpenStore(o.repo));
  repo::InitOptions init;
  init.kdf = crypto::ScryptParamsForCost(o.kdf_cost);
  ASSIGN_OR_RETURN(auto repo, repo::Repository::Init(store, password, init));

  uint64_t per_dir = uint64_t{o.blobs_per_file} * o.files_per_dir;
  uint64_t dirs = (o.blobs + per_dir - 1) / per_dir;
  std::vector<Id> dir_trees(dirs);
  repo::BlobSaver saver(*repo, repo::BlobSaverOptions{.upload_threads = 2});
  // Workers take directories in order, so the groups stay in consecutive packs.
  std::atomic<uint64_t> next{0};
  std::atomic<bool> failed{false};
  std::optional<Error> error;
  std::mutex error_mutex;
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < o.threads; ++t) {
    workers.emplace_back([&] {
      for (uint64_t d = next++; d < dirs && !failed; d = next++) {
        auto tree = WriteDirectory(*repo, saver, o, d);
        if (!tree) {
          std::lock_guard lock(error_mutex);
          if (!error) error = tree.error();
          failed = true;
          return;
        }
        dir_trees[d] = *tree;
      }
    });
  }
  for (auto& w : workers) w.join();
  if (error) return Fail(*error);

  std::vector<Id> roots;
  for (int k = 0; k < kSnapshots; ++k) {
    repo::Tree root;
    for (uint64_t d = 0; d < dirs; ++d) {
      auto group = static_cast<int>(d * kGroups / dirs);
      if (group < k || group >= k + kGroupsPerSnapshot) continue;
      repo::Node dir;
      dir.name = DirName(d);
      dir.type = repo::NodeType::kDirectory;
      dir.mode = 0755;
      dir.subtree = dir_trees[d];
      root.nodes.push_back(std::move(dir));
    }
    Bytes bytes = root.Serialize();
    roots.push_back(repo->BlobId(bytes));
    RETURN_IF_ERROR(saver.Save(repo::BlobType::kTree, roots.back(), bytes));
  }
  RETURN_IF_ERROR(saver.Flush());  // packs, then their index, before any snapshot

  nlohmann::json snapshots = nlohmann::json::array();
  for (int k = 0; k < kSnapshots; ++k) {
    repo::Snapshot snap;
    snap.time_ns = 1'700'000'000'000'000'000 + int64_t{k} * 86'400'000'000'000;
    snap.host = "synthetic";
    snap.user = "bench";
    snap.paths = {"/synthetic"};
    snap.tree = roots[k];
    snap.program_version = "arkiv_synthetic_repo";
    ASSIGN_OR_RETURN(Id id, repo->SaveFile(repo::FileKind::kSnapshot, snap.Serialize()));
    snapshots.push_back(id.Hex());
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return nlohmann::json{{"blobs", o.blobs},
                        {"seed", o.seed},
                        {"directories", dirs},
                        {"blobs_stored", saver.stats().blobs_added.load()},
                        {"packs", saver.stats().packs_uploaded.load()},
                        {"index_files", saver.stats().index_files.load()},
                        {"bytes_stored", saver.stats().bytes_stored.load()},
                        {"snapshots", snapshots},
                        {"sample_blob", repo->BlobId(BlobPlaintext(o.seed, o.blobs / 2)).Hex()},
                        {"seconds", seconds}};
}

}  // namespace
}  // namespace arkiv

int main(int argc, char** argv) {
  arkiv::Options o;
  CLI::App app{"Writes a seeded synthetic repository of many tiny blobs (bench/index_bench.sh)"};
  app.add_option("--repo", o.repo, "Local directory for the new repository")->required();
  app.add_option("--blobs", o.blobs, "Data blobs")->check(CLI::PositiveNumber);
  app.add_option("--seed", o.seed, "Seed of the blob contents");
  app.add_option("--blobs-per-file", o.blobs_per_file)->check(CLI::PositiveNumber);
  app.add_option("--files-per-dir", o.files_per_dir)->check(CLI::PositiveNumber);
  app.add_option("--threads", o.threads, "Threads sealing blobs")->check(CLI::Range(1u, 64u));
  app.add_option("--kdf-cost", o.kdf_cost, "log2 of the scrypt cost of the key")
      ->check(CLI::Range(arkiv::crypto::kMinScryptCost, arkiv::crypto::kMaxScryptCost));
  CLI11_PARSE(app, argc, argv);
  const char* password = std::getenv("ARKIV_PASSWORD");
  if (password == nullptr || *password == '\0') {
    std::fprintf(stderr, "arkiv_synthetic_repo: set ARKIV_PASSWORD\n");
    return 2;
  }
  auto result = arkiv::Build(o, password);
  if (!result) {
    std::fprintf(stderr, "arkiv_synthetic_repo: %s\n", result.error().ToString().c_str());
    return 1;
  }
  std::printf("%s\n", result->dump().c_str());
  return 0;
}
