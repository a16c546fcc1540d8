// Builds text in the Prometheus exposition format (version 0.0.4): families
// with their HELP and TYPE lines, then samples. Used for the store metrics
// and for `arkiv status --prometheus` / `arkiv serve`'s /metrics.
#pragma once

#include <fmt/format.h>

#include <iterator>
#include <string>
#include <string_view>

namespace arkiv {

// A label value with \, " and newline escaped as the format requires.
std::string PrometheusLabelValue(std::string_view value);

class PrometheusWriter {
 public:
  void Family(std::string_view name, std::string_view type, std::string_view help) {
    fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  }
  // `labels` without braces, e.g. cloud="a",op="put"; may be empty.
  template <typename T>
  void Sample(std::string_view name, std::string_view labels, T value) {
    if (labels.empty()) {
      fmt::format_to(std::back_inserter(out_), "{} {}\n", name, value);
    } else {
      fmt::format_to(std::back_inserter(out_), "{}{{{}}} {}\n", name, labels, value);
    }
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace arkiv
