#include "cli/toml_table_reader.h"

#include <fmt/format.h>

#include <algorithm>

namespace arkiv::cli {
namespace {

bool Before(const toml::source_position& a, const toml::source_position& b) {
  return a.line != b.line ? a.line < b.line : a.column < b.column;
}

}  // namespace

TomlTableReader::TomlTableReader(const toml::table& table, std::string path, std::string name)
    : table_(table), path_(std::move(path)), name_(std::move(name)) {}

std::string TomlTableReader::Position(const toml::source_region& region) const {
  return fmt::format("{}:{}:{}", path_, region.begin.line, region.begin.column);
}

std::string TomlTableReader::Describe(std::string_view key) const {
  return name_.empty() ? std::string(key) : fmt::format("{} in {}", key, name_);
}

void TomlTableReader::Fail(const toml::source_region& region, std::string_view message) {
  if (!error_) error_ = Error(Code::kInvalidArgument, fmt::format("{}: {}", Position(region), message));
}

const toml::node* TomlTableReader::Take(std::string_view key) {
  if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.emplace_back(key);
  if (error_) return nullptr;
  return table_.get(key);
}

void TomlTableReader::String(std::string_view key, std::optional<std::string>& out) {
  const toml::node* node = Take(key);
  if (node == nullptr) return;
  const auto* value = node->as_string();
  if (value == nullptr) return Fail(node->source(), fmt::format("{} must be a string", Describe(key)));
  if (value->get().empty()) return Fail(node->source(), fmt::format("{} must not be empty", Describe(key)));
  out = value->get();
}

void TomlTableReader::String(std::string_view key, std::string& out) {
  std::optional<std::string> value;
  String(key, value);
  if (value) out = std::move(*value);
}

void TomlTableReader::Scalar(std::string_view key, std::optional<std::string>& out) {
  const toml::node* node = Take(key);
  if (node == nullptr) return;
  if (const auto* i = node->as_integer()) {
    out = fmt::format("{}", i->get());
  } else if (const auto* f = node->as_floating_point()) {
    out = fmt::format("{}", f->get());
  } else if (const auto* s = node->as_string(); s != nullptr && !s->get().empty()) {
    out = s->get();
  } else {
    Fail(node->source(), fmt::format("{} must be a number or a non-empty string", Describe(key)));
  }
}

void TomlTableReader::Integer(std::string_view key, std::optional<int64_t>& out, int64_t min, int64_t max) {
  const toml::node* node = Take(key);
  if (node == nullptr) return;
  const auto* value = node->as_integer();
  if (value == nullptr) return Fail(node->source(), fmt::format("{} must be an integer", Describe(key)));
  if (value->get() < min || value->get() > max) {
    return Fail(node->source(), fmt::format("{} must be from {} to {}", Describe(key), min, max));
  }
  out = value->get();
}

void TomlTableReader::Number(std::string_view key, double& out, double min) {
  const toml::node* node = Take(key);
  if (node == nullptr) return;
  std::optional<double> value;
  if (const auto* f = node->as_floating_point()) value = f->get();
  if (const auto* i = node->as_integer()) value = static_cast<double>(i->get());
  if (!value) return Fail(node->source(), fmt::format("{} must be a number", Describe(key)));
  // NaN fails this too.
  if (!(*value >= min)) return Fail(node->source(), fmt::format("{} must be at least {}", Describe(key), min));
  out = *value;
}

const toml::table* TomlTableReader::Table(std::string_view key) {
  const toml::node* node = Take(key);
  if (node == nullptr) return nullptr;
  const auto* table = node->as_table();
  if (table == nullptr) Fail(node->source(), fmt::format("{} must be a table", Describe(key)));
  return table;
}

void TomlTableReader::Invalid(std::string_view key, std::string_view message) {
  const toml::node* node = key.empty() ? nullptr : table_.get(key);
  Fail(node != nullptr ? node->source() : table_.source(), message);
}

Status TomlTableReader::Finish() {
  if (error_) return std::unexpected(*error_);
  const toml::key* unknown = nullptr;
  for (const auto& [key, value] : table_) {
    if (std::find(known_.begin(), known_.end(), key.str()) != known_.end()) continue;
    if (unknown == nullptr || Before(key.source().begin, unknown->source().begin)) unknown = &key;
  }
  if (unknown == nullptr) return OkStatus();
  std::string known;
  for (const auto& k : known_) known += (known.empty() ? "" : ", ") + k;
  return arkiv::Fail(Code::kInvalidArgument,
                     fmt::format("{}: unknown key '{}'{} (known: {})", Position(unknown->source()), unknown->str(),
                                 name_.empty() ? "" : " in " + name_, known));
}

std::vector<std::pair<std::string, const toml::node*>> EntriesInFileOrder(const toml::table& table) {
  std::vector<std::pair<const toml::key*, const toml::node*>> entries;
  for (const auto& [key, value] : table) entries.emplace_back(&key, &value);
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return Before(a.first->source().begin, b.first->source().begin); });
  std::vector<std::pair<std::string, const toml::node*>> result;
  for (const auto& [key, value] : entries) result.emplace_back(key->str(), value);
  return result;
}

}  // namespace arkiv::cli
