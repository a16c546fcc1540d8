#include "repo/tree.h"

#include <fmt/format.h>

#include <algorithm>
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

// A string field, "" when absent; json::value() would throw on another type.
Result<std::string> Text(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return std::string();
  if (!it->is_string()) return Fail(Code::kDataLoss, fmt::format("tree field {} is not a string", key));
  return it->get<std::string>();
}

template <typename T>
T Number(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return T{};
  return it->get<T>();
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
  ASSIGN_OR_RETURN(std::string type, Text(j, "type"));
  auto it = std::find_if(std::begin(kTypeNames), std::end(kTypeNames), [&](const auto& p) { return p.second == type; });
  if (it == std::end(kTypeNames)) return Fail(Code::kDataLoss, fmt::format("tree node {:?} has unknown type", n.name));
  n.type = it->first;
  n.mode = Number<uint32_t>(j, "mode") & 07777;
  n.uid = Number<uint32_t>(j, "uid");
  n.gid = Number<uint32_t>(j, "gid");
  ASSIGN_OR_RETURN(n.user, Text(j, "user"));
  ASSIGN_OR_RETURN(n.group, Text(j, "group"));
  n.mtime_ns = Number<int64_t>(j, "mtime_ns");
  n.ctime_ns = Number<int64_t>(j, "ctime_ns");
  n.inode = Number<uint64_t>(j, "inode");
  n.device = Number<uint64_t>(j, "device");
  n.links = Number<uint64_t>(j, "links");
  n.rdev = Number<uint64_t>(j, "rdev");
  n.size = Number<uint64_t>(j, "size");
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
    ASSIGN_OR_RETURN(std::string subtree, Text(j, "subtree"));
    auto id = Id::Parse(subtree);
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

Result<Tree> Tree::Parse(ByteView bytes) {
  auto j = json::parse(AsString(bytes), nullptr, false);
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
}

}  // namespace arkiv::repo
