// Reads the keys of one TOML table (toml++) into typed fields, for the
// config file. Every error names FILE:LINE:COLUMN, so that a user can find
// the place; a key that nobody asked for is an error too, so that a typo is
// never silently ignored. Values are never quoted in messages: they may be
// secrets.
//
// Use: construct, call String/Integer/Number/Table for each known key, then
// Finish(). The first error sticks (later calls do nothing) and Finish()
// returns it; without one, Finish() reports the first unknown key in the
// order of the file.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace arkiv::cli {

class TomlTableReader {
 public:
  // `name` says which table this is in messages: "" for the top level,
  // "[clouds.aws]" for a sub-table.
  TomlTableReader(const toml::table& table, std::string path, std::string name);

  // A non-empty string; `out` is left alone when the key is absent.
  void String(std::string_view key, std::optional<std::string>& out);
  void String(std::string_view key, std::string& out);
  // A string, or a number given as its decimal text ("0.05", "8"): for
  // values that the caller parses itself and that users write either way.
  void Scalar(std::string_view key, std::optional<std::string>& out);
  // An integer in [min, max].
  void Integer(std::string_view key, std::optional<int64_t>& out, int64_t min, int64_t max);
  // An integer or floating-point number of at least `min`.
  void Number(std::string_view key, double& out, double min);
  // A sub-table; nullptr when absent (or after an error).
  const toml::table* Table(std::string_view key);

  // Records an error at the value of `key` (at the table itself when `key`
  // is empty or absent), for checks the caller makes on what it read.
  void Invalid(std::string_view key, std::string_view message);
  bool ok() const { return !error_; }

  // The first error; else kInvalidArgument for the first unknown key.
  Status Finish();

  // "FILE:LINE:COLUMN" of a place in the file.
  std::string Position(const toml::source_region& region) const;

 private:
  // The value of `key`, marked as known; nullptr when absent or after an error.
  const toml::node* Take(std::string_view key);
  void Fail(const toml::source_region& region, std::string_view message);
  std::string Describe(std::string_view key) const;

  const toml::table& table_;
  std::string path_;
  std::string name_;
  std::vector<std::string> known_;  // in the order asked, for messages
  std::optional<Error> error_;
};

// The entries of `table` in the order they appear in the file (toml++ keeps
// tables sorted by key).
std::vector<std::pair<std::string, const toml::node*>> EntriesInFileOrder(const toml::table& table);

}  // namespace arkiv::cli
