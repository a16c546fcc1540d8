#include "repo/tree.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "core/hex.h"

namespace arkiv::repo {
namespace {

using nlohmann::json;

constexpr std::pair<NodeType, std::string_view> kTypeNames[] = {
    {NodeType::kFile, "file"},         {NodeType::kDirectory, "dir"}, {NodeType::kSymlink, "symlink"},
    {NodeType::kBlockDevice, "block"}, {NodeType::kCharDevice, "char"}, {NodeType::kFifo, "fifo"},
    {NodeType::kSocket, "socket"},
};


void PutBytesField(json& j, const char* key, const std::string& value) {
  if (IsValidUtf8(value)) {
    j[key] = value;
  } else {
    j[std::string(key) + "_b64"] = Base64Encode(AsBytes(value));
  }
}

Result<std::string> GetBytesField(const json& j, const char* key) {
  if (j.contains(key)) {
    if (!j[key].is_string()) return Fail(Code::kDataLoss, fmt::format("tree field {} is not a string", key));
    return j[key].get<std::string>();
  }
  std::string b64_key = std::string(key) + "_b64";
  if (j.contains(b64_key)) {
    if (!j[b64_key].is_string()) return Fail(Code::kDataLoss, "tree field is not a string");
    auto raw = Base64Decode(j[b64_key].get<std::string>());
    if (!raw) return Fail(Code::kDataLoss, fmt::format("tree field {} is bad base64", b64_key));
    return std::string(AsString(*raw));
  }
  return std::string();
}

// Reads an integer field into `out`, 0 when absent. False when it is not an
// integer that fits T: get<T>() would silently truncate (uid 2^32 + 5 as 5).
template <typename T>
bool Number(const json& j, const char* key, T& out) {
  auto it = j.find(key);
  out = T{};
  if (it == j.end()) return true;
  if (it->is_number_unsigned()) {
    uint64_t v = it->get<uint64_t>();
    if (v > static_cast<uint64_t>(std::numeric_limits<T>::max())) return false;
    out = static_cast<T>(v);
    return true;
  }
  if (it->is_number_integer()) {
    int64_t v = it->get<int64_t>();
    if (v < static_cast<int64_t>(std::numeric_limits<T>::min())) return false;
    out = static_cast<T>(v);
    return true;
  }
  return false;
}

json NodeToJson(const Node& n) {
  json j = json::object();
  PutBytesField(j, "name", n.name);
  j["type"] = NodeTypeName(n.type);
  j["mode"] = n.mode;
  j["uid"] = n.uid;
  j["gid"] = n.gid;
  if (!n.user.empty()) j["user"] = n.user;
  if (!n.group.empty()) j["group"] = n.group;
  j["mtime_ns"] = n.mtime_ns;
  j["ctime_ns"] = n.ctime_ns;
  j["inode"] = n.inode;
  j["device"] = n.device;
  j["links"] = n.links;
  switch (n.type) {
    case NodeType::kFile: {
      j["size"] = n.size;
      json content = json::array();
      for (const Id& id : n.content) content.push_back(id.Hex());
      j["content"] = std::move(content);
      break;
    }
    case NodeType::kDirectory: j["subtree"] = n.subtree.Hex(); break;
    case NodeType::kSymlink: PutBytesField(j, "target", n.link_target); break;
    case NodeType::kBlockDevice:
    case NodeType::kCharDevice: j["rdev"] = n.rdev; break;
    default: break;
  }
  return j;
}

Result<Node> NodeFromJson(const json& j) {
  if (!j.is_object()) return Fail(Code::kDataLoss, "tree node is not an object");
  Node n;
  ASSIGN_OR_RETURN(n.name, GetBytesField(j, "name"));
  if (!IsSafeName(n.name)) return Fail(Code::kDataLoss, fmt::format("tree node has an unsafe name {:?}", n.name));
  std::string type = j.value("type", "");
  auto it = std::find_if(std::begin(kTypeNames), std::end(kTypeNames), [&](const auto& p) { return p.second == type; });
  if (it == std::end(kTypeNames)) return Fail(Code::kDataLoss, fmt::format("tree node {:?} has unknown type", n.name));
  n.type = it->first;
  // size and rdev only mean something for files and devices; Serialize
  // writes them only there, so reading them elsewhere would break the round trip.
  bool device = n.type == NodeType::kBlockDevice || n.type == NodeType::kCharDevice;
  if (!Number(j, "mode", n.mode) || !Number(j, "uid", n.uid) || !Number(j, "gid", n.gid) ||
      !Number(j, "mtime_ns", n.mtime_ns) || !Number(j, "ctime_ns", n.ctime_ns) || !Number(j, "inode", n.inode) ||
      !Number(j, "device", n.device) || !Number(j, "links", n.links) || (device && !Number(j, "rdev", n.rdev)) ||
      (n.type == NodeType::kFile && !Number(j, "size", n.size))) {
    return Fail(Code::kDataLoss, fmt::format("tree node {:?} has a field that is not an integer in range", n.name));
  }
  n.mode &= 07777;
  n.user = j.value("user", "");
  n.group = j.value("group", "");
  if (n.type == NodeType::kFile) {
    auto c = j.find("content");
    if (c == j.end() || !c->is_array()) return Fail(Code::kDataLoss, fmt::format("file {:?} has no content", n.name));
    n.content.reserve(c->size());
    for (const auto& v : *c) {
      auto id = v.is_string() ? Id::Parse(v.get<std::string>()) : std::nullopt;
      if (!id) return Fail(Code::kDataLoss, fmt::format("file {:?} has a bad content id", n.name));
      n.content.push_back(*id);
    }
  } else if (n.type == NodeType::kDirectory) {
    auto id = Id::Parse(j.value("subtree", ""));
    if (!id) return Fail(Code::kDataLoss, fmt::format("directory {:?} has a bad subtree id", n.name));
    n.subtree = *id;
  } else if (n.type == NodeType::kSymlink) {
    ASSIGN_OR_RETURN(n.link_target, GetBytesField(j, "target"));
  }
  return n;
}

}  // namespace

std::string_view NodeTypeName(NodeType type) {
  for (const auto& [t, name] : kTypeNames) {
    if (t == type) return name;
  }
  return "unknown";
}

bool IsSafeName(std::string_view name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string_view::npos &&
         name.find('\0') == std::string_view::npos;
}

Bytes Tree::Serialize() const {
  std::vector<const Node*> sorted;
  sorted.reserve(nodes.size());
  for (const auto& n : nodes) sorted.push_back(&n);
  std::sort(sorted.begin(), sorted.end(), [](const Node* a, const Node* b) { return a->name < b->name; });
  json list = json::array();
  for (const Node* n : sorted) list.push_back(NodeToJson(*n));
  json j{{"nodes", std::move(list)}};
  return ToBytes(j.dump());
}

namespace {

// A function-try-block: json::value() throws when a field has another type.
Result<Tree> TreeFromJson(const json& j) try {
  if (!j.is_object() || !j.contains("nodes") || !j["nodes"].is_array()) {
    return Fail(Code::kDataLoss, "tree is not a JSON object with a nodes array");
  }
  Tree tree;
  tree.nodes.reserve(j["nodes"].size());
  std::set<std::string_view> names;
  for (const auto& item : j["nodes"]) {
    ASSIGN_OR_RETURN(Node node, NodeFromJson(item));
    tree.nodes.push_back(std::move(node));
  }
  for (const auto& n : tree.nodes) {
    if (!names.insert(n.name).second) return Fail(Code::kDataLoss, fmt::format("tree has the name {:?} twice", n.name));
  }
  return tree;
} catch (const nlohmann::json::exception& e) {
  return Fail(Code::kDataLoss, std::string("tree is malformed: ") + e.what());
}

Result<PageList> PageListFromJson(const json& j, const TreeLimits& limits) {
  if (j.size() != 1 || !j["pages"].is_array()) return Fail(Code::kDataLoss, "tree page list is malformed");
  const json& list = j["pages"];
  // A writer pages a directory only when it fills more than one page.
  if (list.size() < 2 || list.size() > limits.max_pages) {
    return Fail(Code::kDataLoss,
                fmt::format("tree page list names {} pages (2 to {} allowed)", list.size(), limits.max_pages));
  }
  PageList out;
  out.pages.reserve(list.size());
  std::set<Id> seen;
  for (const auto& v : list) {
    auto id = v.is_string() ? Id::Parse(v.get<std::string>()) : std::nullopt;
    if (!id) return Fail(Code::kDataLoss, "tree page list has a bad page id");
    if (!seen.insert(*id).second) return Fail(Code::kDataLoss, fmt::format("tree page list names page {} twice", id->Hex()));
    out.pages.push_back(*id);
  }
  return out;
}

}  // namespace

Result<Tree> Tree::Parse(ByteView bytes) {
  auto j = json::parse(AsString(bytes), nullptr, false);
  return TreeFromJson(j);
}

Bytes PageList::Serialize() const {
  json list = json::array();
  for (const Id& id : pages) list.push_back(id.Hex());
  return ToBytes(json{{"pages", std::move(list)}}.dump());
}

Result<std::variant<Tree, PageList>> ParseTreeBlob(ByteView bytes, const TreeLimits& limits) {
  auto j = json::parse(AsString(bytes), nullptr, false);
  if (j.is_object() && j.contains("pages")) {
    ASSIGN_OR_RETURN(PageList list, PageListFromJson(j, limits));
    return std::variant<Tree, PageList>(std::move(list));
  }
  ASSIGN_OR_RETURN(Tree tree, TreeFromJson(j));
  return std::variant<Tree, PageList>(std::move(tree));
}

size_t EstimatedJsonSize(const Node& node) {
  // Keys and numbers take about 200 bytes; strings may grow by a third as
  // base64. A soft bound: JSON escapes can make a node somewhat larger.
  constexpr size_t kContentId = 67;  // "<64 hex digits>",
  size_t strings = node.name.size() + node.link_target.size() + node.user.size() + node.group.size();
  return 200 + strings * 4 / 3 + kContentId * node.content.size();
}

}  // namespace arkiv::repo
