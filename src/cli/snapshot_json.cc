#include "cli/snapshot_json.h"

#include "repo/system_info.h"

namespace arkiv::cli {

nlohmann::json SnapshotJson(const repo::SnapshotRecord& record) {
  const auto& s = record.snapshot;
  nlohmann::json j{{"id", record.id.Hex()},
                   {"short_id", record.id.Short()},
                   {"time", repo::FormatRfc3339(s.time_ns)},
                   {"host", s.host},
                   {"user", s.user},
                   {"paths", s.paths},
                   {"tags", s.tags},
                   {"tree", s.tree.Hex()},
                   {"program_version", s.program_version}};
  if (s.parent) j["parent"] = s.parent->Hex();
  const auto& m = s.summary;
  j["summary"] = {{"files_new", m.files_new},
                  {"files_changed", m.files_changed},
                  {"files_unchanged", m.files_unchanged},
                  {"files_failed", m.files_failed},
                  {"dirs", m.dirs},
                  {"bytes_processed", m.bytes_processed},
                  {"bytes_total", m.bytes_total},
                  {"blobs_added", m.blobs_added},
                  {"bytes_added", m.bytes_added},
                  {"bytes_stored", m.bytes_stored},
                  {"duration_seconds", m.duration_seconds}};
  return j;
}

}  // namespace arkiv::cli
