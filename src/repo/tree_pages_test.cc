// Paged trees: TreeWriter cuts a large directory into pages and a page
// list, TreeReader streams them back; malformed page lists are refused with
// errors that name the tree and the page.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/status_test_util.h"
#include "crypto/random.h"
#include "repo/blob_saver.h"
#include "repo/repo_test_util.h"
#include "repo/tree_reader.h"
#include "repo/tree_writer.h"
#include "storage/backends/memory_store.h"

namespace arkiv::repo {
namespace {

using arkiv::testing::FailedWith;
using arkiv::testing::kTestPassword;
using arkiv::testing::TestInitOptions;

Node FileNode(std::string name, size_t chunks = 1) {
  Node n;
  n.name = std::move(name);
  n.type = NodeType::kFile;
  n.mode = 0644;
  n.mtime_ns = 1700000000123456789;
  n.size = chunks;
  for (size_t i = 0; i < chunks; ++i) n.content.push_back(crypto::RandomId());
  return n;
}

std::string Name(int i) {
  char buffer[16];
  (void)std::snprintf(buffer, sizeof buffer, "f%06d", i);
  return buffer;
}

class TreePagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_shared<storage::MemoryStore>();
    auto repo = Repository::Init(store_, kTestPassword, TestInitOptions());
    ASSERT_TRUE(repo.has_value()) << repo.error().ToString();
    repo_ = std::move(*repo);
    saver_ = std::make_unique<BlobSaver>(*repo_, BlobSaverOptions{});
  }

  // Stores a tree blob under its own id (or `as`, to forge a wrong one).
  Result<Id> Store(const Bytes& bytes, std::optional<Id> as = std::nullopt) {
    Id id = as ? *as : repo_->BlobId(bytes);
    RETURN_IF_ERROR(saver_->Save(BlobType::kTree, id, bytes));
    return id;
  }
  // Makes everything stored so far readable.
  void Flush() { ASSERT_TRUE(saver_->Flush().has_value()); }

  Result<Id> Write(const std::vector<Node>& nodes, const TreeLimits& limits, std::vector<Id>* pages = nullptr) {
    TreeWriter writer([this](const Bytes& b) { return Store(b); }, limits);
    for (const auto& n : nodes) RETURN_IF_ERROR(writer.Add(n));
    auto id = writer.Finish();
    if (pages) *pages = writer.pages();
    return id;
  }

  std::shared_ptr<storage::MemoryStore> store_;
  std::unique_ptr<Repository> repo_;
  std::unique_ptr<BlobSaver> saver_;
};

TEST_F(TreePagesTest, SmallDirectoryIsThePlainTreeOfBefore) {
  std::vector<Node> nodes;
  for (int i = 0; i < 100; ++i) nodes.push_back(FileNode(Name(i)));
  std::vector<Id> pages;
  auto id = Write(nodes, TreeLimits{.page_nodes = 100}, &pages);
  ASSERT_TRUE(id.has_value()) << id.error().ToString();
  EXPECT_TRUE(pages.empty());
  // Same bytes, hence same id, as Tree::Serialize wrote before pages existed.
  EXPECT_EQ(*id, repo_->BlobId(Tree{nodes}.Serialize()));
  Flush();
  auto back = ReadAllNodes(*repo_, *id);
  ASSERT_TRUE(back.has_value()) << back.error().ToString();
  EXPECT_EQ(*back, nodes);
}

TEST_F(TreePagesTest, LargeDirectoryRoundTripsThroughPages) {
  std::vector<Node> nodes;
  for (int i = 0; i < 1000; ++i) nodes.push_back(FileNode(Name(i)));
  std::vector<Id> pages;
  auto id = Write(nodes, TreeLimits{.page_nodes = 64}, &pages);
  ASSERT_TRUE(id.has_value()) << id.error().ToString();
  EXPECT_EQ(pages.size(), 16u);  // 15 full pages and 40 nodes
  Flush();
  auto reader = TreeReader::Open(*repo_, *id);
  ASSERT_TRUE(reader.has_value()) << reader.error().ToString();
  EXPECT_EQ(reader->pages(), pages);
  // Each page is an ordinary tree of a contiguous name range.
  auto first = repo_->LoadTree(pages[0]);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->nodes, std::vector<Node>(nodes.begin(), nodes.begin() + 64));
  auto back = ReadAllNodes(*repo_, *id);
  ASSERT_TRUE(back.has_value()) << back.error().ToString();
  EXPECT_EQ(*back, nodes);
  // Writing the same nodes again gives the same ids (dedup across backups).
  std::vector<Id> again;
  EXPECT_EQ(Write(nodes, TreeLimits{.page_nodes = 64}, &again), *id);
  EXPECT_EQ(again, pages);
}

TEST_F(TreePagesTest, PagesOfKnownOriginAreNotWrittenAgain) {
  std::vector<Node> nodes;
  for (int i = 0; i < 200; ++i) nodes.push_back(FileNode(Name(i)));
  std::vector<Id> pages;
  ASSERT_OK_AND_ASSIGN(Id id, Write(nodes, TreeLimits{.page_nodes = 64}, &pages));
  ASSERT_EQ(pages.size(), 4u);
  // Again, every node but #100 (page 1) from its earlier page: pages 0, 2
  // and 3 reuse their ids unserialized; page 1 and the list are written.
  std::vector<size_t> saved_sizes;
  TreeWriter writer(
      [&](const Bytes& b) {
        saved_sizes.push_back(b.size());
        return Store(b);
      },
      TreeLimits{.page_nodes = 64});
  for (size_t i = 0; i < nodes.size(); ++i) {
    std::optional<TreeWriter::Origin> origin;
    if (i != 100) origin = TreeWriter::Origin{pages[i / 64], i % 64, i / 64 == 3 ? 8u : 64u};
    ASSERT_OK(writer.Add(nodes[i], origin));
  }
  ASSERT_OK_AND_ASSIGN(Id again, writer.Finish());
  EXPECT_EQ(again, id);
  EXPECT_EQ(writer.pages(), pages);
  EXPECT_EQ(saved_sizes.size(), 2u);
  // An origin whose count differs from the page's is not trusted: written.
  size_t saves = 0;
  TreeWriter shifted(
      [&](const Bytes& b) {
        saves++;
        return Store(b);
      },
      TreeLimits{.page_nodes = 64});
  for (size_t i = 0; i < 64; ++i) ASSERT_OK(shifted.Add(nodes[i], TreeWriter::Origin{pages[0], i, 65}));
  ASSERT_OK(shifted.Add(nodes[64]));
  ASSERT_TRUE(shifted.Finish().has_value());
  EXPECT_EQ(saves, 3u);  // both pages and the list
  EXPECT_EQ(shifted.pages()[0], pages[0]);  // same nodes, same bytes
}

TEST_F(TreePagesTest, PagesAreCutByJsonSizeToo) {
  // 50 files of 2,000 chunks each: ~134 KB of ids per node.
  std::vector<Node> nodes;
  for (int i = 0; i < 50; ++i) nodes.push_back(FileNode(Name(i), 2000));
  std::vector<Id> pages;
  auto id = Write(nodes, TreeLimits{.page_nodes = 4096, .page_bytes = 1 << 20}, &pages);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(pages.size(), 8u);  // 7 nodes of ~134 KB fill 1 MiB: 7 pages of 7, one of 1
  Flush();
  for (const Id& page : pages) {
    auto bytes = repo_->LoadBlob(page);
    ASSERT_TRUE(bytes.has_value());
    EXPECT_LE(bytes->size(), size_t{1} << 20);
  }
  auto back = ReadAllNodes(*repo_, *id);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, nodes);
}

TEST_F(TreePagesTest, WriterRefusesNamesOutOfOrderAndTooManyPages) {
  TreeWriter writer([this](const Bytes& b) { return Store(b); }, TreeLimits{.page_nodes = 2});
  ASSERT_TRUE(writer.Add(FileNode("b")).has_value());
  EXPECT_TRUE(FailedWith(writer.Add(FileNode("a")), Code::kInvalidArgument));
  EXPECT_TRUE(FailedWith(writer.Add(FileNode("b")), Code::kInvalidArgument));

  std::vector<Node> nodes;
  for (int i = 0; i < 7; ++i) nodes.push_back(FileNode(Name(i)));
  EXPECT_TRUE(FailedWith(Write(nodes, TreeLimits{.page_nodes = 2, .max_pages = 3}), Code::kFailedPrecondition));
}

TEST_F(TreePagesTest, ReadersBeforePagesRefuseAPageList) {
  // Tree::Parse is the whole of what an older arkiv reads a tree with: a
  // page list is a damaged tree to it, never an empty directory.
  PageList list{{crypto::RandomId(), crypto::RandomId()}};
  EXPECT_TRUE(FailedWith(Tree::Parse(list.Serialize()), Code::kDataLoss));
  auto parsed = ParseTreeBlob(list.Serialize());
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(std::get<PageList>(*parsed).pages, list.pages);
}

TEST_F(TreePagesTest, MalformedPageListsAreRefused) {
  Id a = crypto::RandomId(), b = crypto::RandomId();
  for (const std::string& json : std::vector<std::string>{
           R"({"pages":[]})",                                                        // none
           R"({"pages":[")" + a.Hex() + R"("]})",                                    // one
           R"({"pages":[")" + a.Hex() + R"(",")" + a.Hex() + R"("]})",               // twice
           R"({"pages":[")" + a.Hex() + R"(","xyz"]})",                              // bad id
           R"({"pages":[")" + a.Hex() + R"(",7]})",                                  // not a string
           R"({"pages":{"a":1}})",                                                   // not an array
           R"({"pages":[")" + a.Hex() + R"(",")" + b.Hex() + R"("],"nodes":[]})",  // both
       }) {
    EXPECT_TRUE(FailedWith(ParseTreeBlob(ToBytes(json)), Code::kDataLoss)) << json;
  }
  std::vector<Id> many(5);
  for (auto& id : many) id = crypto::RandomId();
  EXPECT_TRUE(FailedWith(ParseTreeBlob(PageList{many}.Serialize(), TreeLimits{.max_pages = 4}), Code::kDataLoss));
}

// Reads tree `id` to the end; the error if any.
std::optional<Error> ReadError(const Repository& repo, const Id& id) {
  auto all = ReadAllNodes(repo, id);
  if (all) return std::nullopt;
  return all.error();
}

TEST_F(TreePagesTest, BadPagesAreRefusedWithTheTreeAndPageNamed) {
  auto page = [&](std::vector<std::string> names) {
    Tree t;
    for (auto& n : names) t.nodes.push_back(FileNode(n));
    return Store(t.Serialize()).value();
  };
  Id ab = page({"a", "b"}), cd = page({"c", "d"}), bz = page({"b", "z"}), empty = page({});
  Id inner = Store(PageList{{ab, cd}}.Serialize()).value();
  Id unsorted = Store(PageList{{cd, ab}}.Serialize()).value();
  Id overlapping = Store(PageList{{ab, bz}}.Serialize()).value();
  Id nested = Store(PageList{{ab, inner}}.Serialize()).value();
  Id with_empty = Store(PageList{{ab, empty}}.Serialize()).value();
  // A page list naming itself: only a forged id can do it.
  Id forged = crypto::RandomId();
  Store(PageList{{ab, forged}}.Serialize(), forged).value();
  Id missing = crypto::RandomId();
  Id with_missing = Store(PageList{{ab, missing}}.Serialize()).value();
  Flush();

  ASSERT_EQ(ReadError(*repo_, inner), std::nullopt);
  for (const auto& [id, what] : std::vector<std::pair<Id, std::string>>{
           {unsorted, "out of order"},
           {overlapping, "out of order"},
           {nested, "itself a page list"},
           {with_empty, "empty"},
       }) {
    auto error = ReadError(*repo_, id);
    ASSERT_TRUE(error.has_value()) << what;
    EXPECT_EQ(error->code(), Code::kDataLoss) << error->ToString();
    EXPECT_NE(error->message().find(what), std::string::npos) << error->ToString();
    EXPECT_NE(error->message().find(id.Hex()), std::string::npos) << error->ToString();
  }
  // The forged list fails (its id is not the keyed hash of its bytes) and
  // the walk ends: no endless loop.
  EXPECT_TRUE(ReadError(*repo_, forged).has_value());
  auto error = ReadError(*repo_, with_missing);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code(), Code::kNotFound) << error->ToString();
  EXPECT_NE(error->message().find("page 2 of 2"), std::string::npos) << error->ToString();
  EXPECT_NE(error->message().find(missing.Hex()), std::string::npos) << error->ToString();
  EXPECT_NE(error->message().find(with_missing.Hex()), std::string::npos) << error->ToString();
}

}  // namespace
}  // namespace arkiv::repo
