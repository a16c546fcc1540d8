// Human-readable numbers for terminal output, and JSON text for --json.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>

namespace arkiv::cli {

std::string HumanBytes(uint64_t bytes);     // "1.5 GiB"
std::string HumanDuration(double seconds);  // "1:02:03" or "12.3s"
std::string LocalTime(int64_t unix_nanos);  // "2026-11-27 13:00:00"

// j.dump(indent) for output: file names and paths are bytes, so invalid UTF-8
// becomes U+FFFD instead of throwing.
std::string JsonText(const nlohmann::json& j, int indent = -1);

}  // namespace arkiv::cli
