#include "engine/drill.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "crypto/sha256.h"
#include "engine/restore.h"
#include "engine/tree_walker.h"
#include "storage/wrappers/metrics_store.h"

namespace arkiv::engine {
namespace {

// A cloud left out of a drill: every call fails at once, without I/O, so
// the drill shows what the other clouds can do alone.
class LeftOutStore : public storage::Store {
 public:
  explicit LeftOutStore(std::string name) : name_(std::move(name)) {}
  std::string Location() const override { return fmt::format("(cloud {}, left out of the drill)", name_); }
  storage::StoreCapabilities Capabilities() const override { return {}; }
  Status Put(std::string_view name, ByteView, storage::PutMode) override { return Refuse(name); }
  Result<Bytes> Get(std::string_view name, uint64_t, uint64_t) override { return Refuse(name); }
  Result<storage::ObjectInfo> Stat(std::string_view name) override { return Refuse(name); }
  Status List(std::string_view prefix, const std::function<Status(const storage::ObjectInfo&)>&) override {
    return Refuse(prefix);
  }
  Status Remove(std::string_view name) override { return Refuse(name); }
  Status CreateLocation() override { return Refuse(""); }

 private:
  std::unexpected<Error> Refuse(std::string_view object) const {
    return Fail(Code::kUnavailable, fmt::format("{}: cloud {} is left out of this drill", object, name_));
  }
  std::string name_;
};

// Whether a file is in the sample: a hash of its path and the seed, so the
// same seed picks the same files.
bool Sampled(const std::string& path, uint64_t seed, double percent) {
  if (percent >= 100) return true;
  std::string key = fmt::format("{}:{}", seed, path);
  Id h = crypto::Sha256(AsBytes(key));
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | h.bytes()[static_cast<size_t>(i)];
  return static_cast<double>(v % 1'000'000) < percent * 10'000;
}

}  // namespace

StoreOpener DrillStoreOpener(StoreOpener open, std::vector<std::string> without,
                             std::map<std::string, std::shared_ptr<storage::StoreMetrics>>& metrics) {
  return [open = std::move(open), without = std::move(without),
          &metrics](const placement::CloudSpec& cloud) -> Result<std::shared_ptr<storage::Store>> {
    if (std::find(without.begin(), without.end(), cloud.name) != without.end()) {
      return std::shared_ptr<storage::Store>(std::make_shared<LeftOutStore>(cloud.name));
    }
    ASSIGN_OR_RETURN(auto store, open(cloud));
    auto& m = metrics[cloud.name];
    if (!m) m = std::make_shared<storage::StoreMetrics>(cloud.name);
    return std::shared_ptr<storage::Store>(std::make_shared<storage::MetricsStore>(std::move(store), m));
  };
}

Result<DrillReport> RunDrill(repo::Repository& repo, const DrillOptions& options) {
  auto start = std::chrono::steady_clock::now();
  DrillReport report;
  ASSIGN_OR_RETURN(auto record, repo.FindSnapshot(options.snapshot));
  report.snapshot = record.id;
  // The files of the snapshot, and the sample of them to restore.
  std::vector<std::string> sample;
  // A blob the index lacks is not counted here: the restore names it.
  RestoreSizeCounter work(repo);
  work.Add(record.snapshot.tree, "");
  RETURN_IF_ERROR(WalkTree(
      repo, record.snapshot.tree, "",
      [&](const std::string& path, const repo::Node& node) {
        if (node.type == repo::NodeType::kDirectory) work.Add(node.subtree, path);
        if (node.type == repo::NodeType::kFile) {
          report.files_in_snapshot++;
          if (Sampled(path, options.seed, options.sample_percent)) {
            sample.push_back(path);
            for (const Id& blob : node.content) work.Add(blob, path);
          }
        }
        return true;
      },
      nullptr,
      [&](const std::string& path, const std::vector<Id>& pages) {
        for (const Id& page : pages) work.Add(page, path);
      }));
  report.work = work.size();
  report.files_selected = sample.size();
  RestoreOptions restore;
  restore.target = options.target;
  restore.verify = true;  // every restored file is read back and checked against its blobs
  restore.workers = options.workers;
  if (options.sample_percent < 100) restore.includes = sample;
  RestoreProgress progress;
  ASSIGN_OR_RETURN(auto result, RunRestore(repo, record.snapshot.tree, restore, progress));
  report.files_restored = result.files;
  report.files_verified = result.verified_files;
  report.bytes_restored = result.bytes;
  for (const auto& [path, error] : result.errors)
    report.problems.push_back(fmt::format("{}: {}", path, error.message()));
  if (report.problems.empty() && report.files_verified != report.files_selected) {
    report.problems.push_back(
        fmt::format("{} of {} selected files restored and verified", report.files_verified, report.files_selected));
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace arkiv::engine
