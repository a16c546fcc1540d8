#include "cli/cloud_findings.h"

#include <fmt/format.h>

#include <map>
#include <ostream>

namespace arkiv::cli {

using engine::CloudFinding;

nlohmann::json CloudAuditJson(const engine::CloudAuditReport& audit, const std::vector<placement::Cloud>& clouds) {
  nlohmann::json out = nlohmann::json::array();
  for (size_t i : audit.audited) {
    nlohmann::json c{{"name", clouds[i].name}};
    if (auto it = audit.unreachable.find(i); it != audit.unreachable.end()) {
      c["unreachable"] = it->second;
    } else {
      c["objects"] = audit.objects.at(i);
    }
    nlohmann::json missing = nlohmann::json::array(), corrupt = nlohmann::json::array(),
                   unexpected = nlohmann::json::array(), leftover = nlohmann::json::array();
    for (const auto& f : audit.findings) {
      if (f.cloud != i) continue;
      nlohmann::json item{{"object", f.object}, {"detail", f.detail}};
      (f.kind == CloudFinding::Kind::kMissing      ? missing
       : f.kind == CloudFinding::Kind::kCorrupt    ? corrupt
       : f.kind == CloudFinding::Kind::kUnexpected ? unexpected
                                                   : leftover)
          .push_back(item);
    }
    c["missing"] = missing;
    c["corrupt"] = corrupt;
    c["unexpected"] = unexpected;
    c["leftover"] = leftover;
    out.push_back(c);
  }
  return out;
}

void PrintCloudAudit(std::ostream& out, const engine::CloudAuditReport& audit,
                     const std::vector<placement::Cloud>& clouds, size_t limit) {
  for (size_t i : audit.audited) {
    if (auto it = audit.unreachable.find(i); it != audit.unreachable.end()) {
      out << fmt::format("error: cloud {}: unreachable: {}\n", clouds[i].name, it->second);
      continue;
    }
    std::map<CloudFinding::Kind, size_t> counts;
    for (const auto& f : audit.findings) {
      if (f.cloud != i) continue;
      if (counts[f.kind]++ < limit) {
        // A leftover is on record and hidden from every reader: a note.
        std::string_view level = f.kind == CloudFinding::Kind::kLeftover     ? "note"
                                 : f.kind == CloudFinding::Kind::kUnexpected ? "warning"
                                                                             : "error";
        out << fmt::format("{}: cloud {}: {} {}: {}\n", level, clouds[i].name, engine::FindingKindName(f.kind),
                           f.object, f.detail);
      }
    }
    for (const auto& [kind, n] : counts) {
      if (n > limit)
        out << fmt::format("  ... and {} more {} on cloud {}\n", n - limit, engine::FindingKindName(kind),
                           clouds[i].name);
    }
    out << fmt::format("cloud {}: {} objects, {} missing, {} corrupt, {} unexpected{}\n", clouds[i].name,
                       audit.objects.at(i), counts[CloudFinding::Kind::kMissing], counts[CloudFinding::Kind::kCorrupt],
                       counts[CloudFinding::Kind::kUnexpected],
                       counts[CloudFinding::Kind::kLeftover] > 0
                           ? fmt::format(", {} leftovers of removes", counts[CloudFinding::Kind::kLeftover])
                           : "");
  }
}

}  // namespace arkiv::cli
