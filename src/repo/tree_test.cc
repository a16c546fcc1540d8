#include "repo/tree.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>

#include "core/hex.h"
#include "crypto/random.h"
#include "repo/repo_test_util.h"

namespace arkiv::repo {
namespace {

using arkiv::testing::FailedWith;
using nlohmann::json;

Node FileNode(std::string name) {
  Node n;
  n.name = std::move(name);
  n.type = NodeType::kFile;
  n.mode = 0644;
  n.uid = 1000;
  n.gid = 100;
  n.user = "alice";
  n.group = "users";
  n.mtime_ns = 1700000000123456789;
  n.ctime_ns = 1700000001987654321;
  n.inode = 424242;
  n.device = 2049;
  n.links = 1;
  n.size = 3;
  n.content = {crypto::RandomId(), crypto::RandomId()};
  return n;
}

Tree SampleTree() {
  Tree t;
  t.nodes.push_back(FileNode("plain.txt"));
  t.nodes.push_back(FileNode(std::string("bad\xff\xfe utf8")));
  t.nodes.push_back(FileNode("new\nline"));
  t.nodes.push_back(FileNode("ünïcødé 日本語"));
  Node dir = FileNode("dir");
  dir.type = NodeType::kDirectory;
  dir.mode = 0755 | 01000;  // sticky survives
  dir.content.clear();
  dir.size = 0;
  dir.subtree = crypto::RandomId();
  t.nodes.push_back(dir);
  Node link = FileNode("link");
  link.type = NodeType::kSymlink;
  link.mode = 0777;
  link.content.clear();
  link.size = 0;
  link.link_target = std::string("../target\x80\x81", 11);
  t.nodes.push_back(link);
  Node utf8_link = link;
  utf8_link.name = "link2";
  utf8_link.link_target = "/abs/ziel";
  t.nodes.push_back(utf8_link);
  Node dev = FileNode("dev");
  dev.type = NodeType::kCharDevice;
  dev.content.clear();
  dev.size = 0;
  dev.rdev = 0x0103;
  t.nodes.push_back(dev);
  Node blk = dev;
  blk.name = "blk";
  blk.type = NodeType::kBlockDevice;
  t.nodes.push_back(blk);
  Node fifo = FileNode("fifo");
  fifo.type = NodeType::kFifo;
  fifo.content.clear();
  fifo.size = 0;
  t.nodes.push_back(fifo);
  Node sock = fifo;
  sock.name = "sock";
  sock.type = NodeType::kSocket;
  t.nodes.push_back(sock);
  Node suid = FileNode("suid");
  suid.mode = 04755;
  suid.links = 3;
  suid.content.clear();
  suid.size = 0;
  t.nodes.push_back(suid);
  return t;
}

std::vector<Node> SortedByName(std::vector<Node> nodes) {
  std::sort(nodes.begin(), nodes.end(), [](const Node& a, const Node& b) { return a.name < b.name; });
  return nodes;
}

TEST(TreeTest, RoundTripKeepsEveryField) {
  Tree tree = SampleTree();
  ASSERT_OK_AND_ASSIGN(Tree parsed, Tree::Parse(tree.Serialize()));
  EXPECT_EQ(parsed.nodes, SortedByName(tree.nodes));
}

TEST(TreeTest, NonUtf8NamesAndTargetsAreStoredAsBase64) {
  Tree tree = SampleTree();
  json j = json::parse(AsString(tree.Serialize()));
  bool saw_b64_name = false, saw_b64_target = false, saw_plain_unicode = false;
  for (const auto& n : j["nodes"]) {
    if (n.contains("name_b64")) {
      EXPECT_FALSE(n.contains("name"));
      auto raw = Base64Decode(n["name_b64"].get<std::string>());
      ASSERT_TRUE(raw.has_value());
      EXPECT_EQ(AsString(*raw), std::string_view("bad\xff\xfe utf8"));
      saw_b64_name = true;
    }
    if (n.contains("target_b64")) {
      EXPECT_EQ(n["name"], "link");
      saw_b64_target = true;
    }
    if (n.contains("name") && n["name"] == "ünïcødé 日本語") saw_plain_unicode = true;
  }
  EXPECT_TRUE(saw_b64_name);
  EXPECT_TRUE(saw_b64_target);
  EXPECT_TRUE(saw_plain_unicode);
}

TEST(TreeTest, InvalidUtf8FormsAreNotMistakenForText) {
  // Overlong '/', a surrogate, a code point past U+10FFFF, a lone continuation byte.
  for (std::string name :
       {std::string("\xc0\xaf"), std::string("\xed\xa0\x80"), std::string("\xf4\x90\x80\x80"), std::string("\x80")}) {
    Tree tree;
    tree.nodes.push_back(FileNode(name));
    json j = json::parse(AsString(tree.Serialize()));
    EXPECT_TRUE(j["nodes"][0].contains("name_b64"));
    ASSERT_OK_AND_ASSIGN(Tree parsed, Tree::Parse(tree.Serialize()));
    EXPECT_EQ(parsed.nodes[0].name, name);
  }
}

TEST(TreeTest, SerializationIsCanonical) {
  Tree tree = SampleTree();
  Bytes expected = tree.Serialize();
  std::mt19937 rng(7);
  for (int round = 0; round < 10; ++round) {
    Tree shuffled = tree;
    std::shuffle(shuffled.nodes.begin(), shuffled.nodes.end(), rng);
    EXPECT_EQ(shuffled.Serialize(), expected);
  }
  ASSERT_OK_AND_ASSIGN(Tree parsed, Tree::Parse(expected));
  EXPECT_EQ(parsed.Serialize(), expected);
}

TEST(TreeTest, SortsByRawBytes) {
  Tree tree;
  for (std::string name : {"b", "B", "a", "\xff", "a.txt", "a0", "_"}) tree.nodes.push_back(FileNode(name));
  ASSERT_OK_AND_ASSIGN(Tree parsed, Tree::Parse(tree.Serialize()));
  std::vector<std::string> names;
  for (const auto& n : parsed.nodes) names.push_back(n.name);
  EXPECT_EQ(names, (std::vector<std::string>{"B", "_", "a", "a.txt", "a0", "b", "\xff"}));
}

TEST(TreeTest, EmptyTreeRoundTrips) {
  ASSERT_OK_AND_ASSIGN(Tree parsed, Tree::Parse(Tree{}.Serialize()));
  EXPECT_TRUE(parsed.nodes.empty());
}

json ValidNode(std::string name) {
  return json{{"name", std::move(name)}, {"type", "file"}, {"mode", 420}, {"size", 0}, {"content", json::array()}};
}

Result<Tree> ParseNodes(json nodes) {
  return Tree::Parse(ToBytes(json{{"nodes", std::move(nodes)}}.dump()));
}

TEST(TreeTest, ParseAcceptsAMinimalNode) {
  ASSERT_OK_AND_ASSIGN(Tree t, ParseNodes(json::array({ValidNode("ok")})));
  ASSERT_EQ(t.nodes.size(), 1u);
  EXPECT_EQ(t.nodes[0].mode, 0644u);
}

TEST(TreeTest, ParseRejectsUnsafeNames) {
  for (std::string name : {std::string(""), std::string("."), std::string(".."), std::string("a/b"), std::string("/"),
                           std::string("/etc"), std::string("a\0b", 3), std::string(1, '\0')}) {
    EXPECT_TRUE(FailedWith(ParseNodes(json::array({ValidNode(name)})), Code::kDataLoss)) << json(name).dump();
    json b64 = ValidNode("x");
    b64.erase("name");
    b64["name_b64"] = Base64Encode(AsBytes(name));
    EXPECT_TRUE(FailedWith(ParseNodes(json::array({b64})), Code::kDataLoss)) << "b64 " << json(name).dump();
  }
  json no_name = ValidNode("x");
  no_name.erase("name");
  EXPECT_TRUE(FailedWith(ParseNodes(json::array({no_name})), Code::kDataLoss));
}

TEST(TreeTest, ParseRejectsDuplicateNames) {
  EXPECT_TRUE(FailedWith(ParseNodes(json::array({ValidNode("a"), ValidNode("b"), ValidNode("a")})), Code::kDataLoss));
  // The same bytes spelled once as text and once as base64 are still the same name.
  json b64 = ValidNode("x");
  b64.erase("name");
  b64["name_b64"] = Base64Encode(AsBytes("a"));
  EXPECT_TRUE(FailedWith(ParseNodes(json::array({ValidNode("a"), b64})), Code::kDataLoss));
}

TEST(TreeTest, ParseRejectsUnknownOrMissingType) {
  for (const json& type : {json("hardlink"), json(""), json(5), json(nullptr)}) {
    json node = ValidNode("a");
    node["type"] = type;
    EXPECT_TRUE(FailedWith(ParseNodes(json::array({node})), Code::kDataLoss)) << type.dump();
  }
  json node = ValidNode("a");
  node.erase("type");
  EXPECT_TRUE(FailedWith(ParseNodes(json::array({node})), Code::kDataLoss));
}

TEST(TreeTest, ParseRejectsFilesAndDirectoriesWithoutTheirIds) {
  json file = ValidNode("f");
  file.erase("content");
  EXPECT_TRUE(FailedWith(ParseNodes(json::array({file})), Code::kDataLoss));
  file["content"] = json::array({"not hex"});
  EXPECT_TRUE(FailedWith(ParseNodes(json::array({file})), Code::kDataLoss));
  file["content"] = json::array({42});
  EXPECT_TRUE(FailedWith(ParseNodes(json::array({file})), Code::kDataLoss));
  json dir{{"name", "d"}, {"type", "dir"}};
  EXPECT_TRUE(FailedWith(ParseNodes(json::array({dir})), Code::kDataLoss));
  dir["subtree"] = std::string(63, 'a');
  EXPECT_TRUE(FailedWith(ParseNodes(json::array({dir})), Code::kDataLoss));
  dir["subtree"] = std::string(64, 'a');
  EXPECT_OK(ParseNodes(json::array({dir})));
}

TEST(TreeTest, ParseRejectsMalformedDocuments) {
  for (std::string_view text : {"", "[]", "{}", "{\"nodes\":{}}", "{\"nodes\":[1]}", "{\"nodes\":[[]]}", "nodes"}) {
    EXPECT_TRUE(FailedWith(Tree::Parse(AsBytes(text)), Code::kDataLoss)) << text;
  }
}

// Fields of the wrong type must be an error, never an exception.
TEST(TreeTest, ParseRejectsStringFieldsOfTheWrongType) {
  for (const char* field : {"name", "user", "group"}) {
    json node = ValidNode("a");
    node[field] = 12;
    EXPECT_TRUE(FailedWith(ParseNodes(json::array({node})), Code::kDataLoss)) << field;
  }
  json link{{"name", "l"}, {"type", "symlink"}, {"target", json::array()}};
  EXPECT_TRUE(FailedWith(ParseNodes(json::array({link})), Code::kDataLoss));
  json dir{{"name", "d"}, {"type", "dir"}, {"subtree", 5}};
  EXPECT_TRUE(FailedWith(ParseNodes(json::array({dir})), Code::kDataLoss));
  json b64{{"name_b64", "%%%%"}, {"type", "file"}, {"content", json::array()}};
  EXPECT_TRUE(FailedWith(ParseNodes(json::array({b64})), Code::kDataLoss));
}

TEST(TreeTest, ModeIsMaskedToPermissionBits) {
  json node = ValidNode("a");
  node["mode"] = 0100644;  // S_IFREG | 0644 from a careless writer
  ASSERT_OK_AND_ASSIGN(Tree t, ParseNodes(json::array({node})));
  EXPECT_EQ(t.nodes[0].mode, 0644u);
}

TEST(TreeTest, IsSafeName) {
  EXPECT_TRUE(IsSafeName("a"));
  EXPECT_TRUE(IsSafeName("..."));
  EXPECT_TRUE(IsSafeName(".hidden"));
  EXPECT_TRUE(IsSafeName("a\\b"));
  EXPECT_FALSE(IsSafeName(""));
  EXPECT_FALSE(IsSafeName("."));
  EXPECT_FALSE(IsSafeName(".."));
  EXPECT_FALSE(IsSafeName("a/"));
  EXPECT_FALSE(IsSafeName(std::string_view("a\0", 2)));
}

}  // namespace
}  // namespace arkiv::repo
