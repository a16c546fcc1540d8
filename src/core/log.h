// Diagnostic logging to stderr, off unless ARKIV_LOG=debug (or --verbose).
// Never log secrets: passwords, keys, tokens or signatures.
#pragma once

#include <fmt/format.h>

#include <string_view>

namespace arkiv {

enum class LogLevel { kError = 0, kWarning = 1, kInfo = 2, kDebug = 3 };

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
void LogLine(LogLevel level, std::string_view message);

template <typename... Args>
void LogDebug(fmt::format_string<Args...> format, Args&&... args) {
  if (GetLogLevel() >= LogLevel::kDebug) LogLine(LogLevel::kDebug, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
void LogInfo(fmt::format_string<Args...> format, Args&&... args) {
  if (GetLogLevel() >= LogLevel::kInfo) LogLine(LogLevel::kInfo, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace arkiv
