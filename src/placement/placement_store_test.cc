#include "placement/placement_store.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "core/status_test_util.h"
#include "crypto/sha256.h"
#include "placement/cloud_set.h"
#include "placement/repair_debt.h"
#include "placement/shard.h"
#include "placement/shard_name.h"
#include "storage/backends/memory_store.h"
#include "storage/testing/conformance.h"
#include "storage/wrappers/fault_store.h"

namespace arkiv::placement {
namespace {

using storage::FaultRule;
using storage::FaultStore;
using storage::MemoryStore;
using storage::Operation;
using storage::Store;

Bytes RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Bytes b(n);
  for (auto& x : b) x = static_cast<uint8_t>(rng());
  return b;
}

std::string PackNameOf(ByteView pack) {
  std::string hex = crypto::Sha256(pack).Hex();
  return "data/" + hex.substr(0, 2) + "/" + hex;
}

// N clouds, each a memory store behind a fault store the test controls.
struct Fixture {
  std::vector<std::shared_ptr<MemoryStore>> memory;
  std::vector<std::shared_ptr<FaultStore>> faults;
  std::shared_ptr<PlacementStore> store;

  Fixture(size_t n, const std::string& policy, int quorum = 0) {
    std::vector<Cloud> clouds;
    for (size_t i = 0; i < n; ++i) {
      memory.push_back(std::make_shared<MemoryStore>("cloud" + std::to_string(i)));
      faults.push_back(std::make_shared<FaultStore>(memory.back(), 1000 + i));
      clouds.push_back({"c" + std::to_string(i), faults.back(), 1.0});
    }
    PlacementOptions options;
    options.policy = *ParsePolicy(policy);
    options.write_quorum = quorum;
    options.host = "test";
    store = *PlacementStore::Create(std::move(clouds), options);
  }
  // A cloud that refuses every call as a down server would.
  void Down(size_t i) { faults[i]->AddRule(FaultRule::Fail(Code::kUnavailable)); }
  void Up(size_t i) { faults[i]->ClearRules(); }
  // Deletes every object of a cloud, as a wiped bucket.
  void Wipe(size_t i) {
    std::vector<std::string> names;
    ASSERT_OK(memory[i]->List("", [&](const storage::ObjectInfo& info) {
      names.push_back(info.name);
      return OkStatus();
    }));
    for (const auto& n : names) ASSERT_OK(memory[i]->Remove(n));
  }
  size_t Objects(size_t i, std::string_view prefix = "") {
    size_t count = 0;
    EXPECT_OK(memory[i]->List(prefix, [&](const storage::ObjectInfo&) {
      count++;
      return OkStatus();
    }));
    return count;
  }
};

// --- policy and names ---------------------------------------------------------

TEST(PolicyTest, ParsesAndRejects) {
  EXPECT_EQ(ParsePolicy("replicate")->ToString(), "replicate");
  EXPECT_EQ(ParsePolicy("ec:2+1")->ToString(), "ec:2+1");
  EXPECT_EQ(ParsePolicy("ec:10+4")->k, 10);
  for (std::string bad : {"", "ec", "ec:2", "ec:2+0", "ec:0+1", "ec:a+1", "ec:20+20", "mirror", "ec:2+1x"}) {
    auto p = ParsePolicy(bad);
    ASSERT_FALSE(p) << bad;
    EXPECT_EQ(p.error().code(), Code::kInvalidArgument);
    EXPECT_NE(p.error().message().find("ec:K+M"), std::string::npos);
  }
}

TEST(PolicyTest, WriteQuorum) {
  Policy ec21 = *ParsePolicy("ec:2+1");
  EXPECT_EQ(*EffectiveWriteQuorum(ec21, 3, 0), 2);
  EXPECT_EQ(*EffectiveWriteQuorum(ec21, 3, 3), 3);
  EXPECT_FALSE(EffectiveWriteQuorum(ec21, 3, 1));  // below K
  EXPECT_FALSE(EffectiveWriteQuorum(ec21, 3, 4));
  Policy rep;
  EXPECT_EQ(*EffectiveWriteQuorum(rep, 1, 0), 1);
  EXPECT_EQ(*EffectiveWriteQuorum(rep, 2, 0), 1);
  EXPECT_EQ(*EffectiveWriteQuorum(rep, 3, 0), 2);
  Policy ec32 = *ParsePolicy("ec:3+2");
  EXPECT_EQ(*EffectiveWriteQuorum(ec32, 5, 0), 4);
}

TEST(ShardNameTest, RoundTripAndRejects) {
  std::string pack = PackNameOf(RandomBytes(10, 1));
  ShardName s{pack, 3, 2, 4, 16777216};
  std::string name = FormatShardName(s);
  EXPECT_EQ(name, pack + ".ec3+2.4.16777216");
  auto parsed = ParseShardName(name);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->pack, pack);
  EXPECT_EQ(parsed->k, 3);
  EXPECT_EQ(parsed->m, 2);
  EXPECT_EQ(parsed->index, 4);
  EXPECT_EQ(parsed->pack_size, 16777216u);
  EXPECT_TRUE(ParseShardName(pack + ".ec1+1.0.0"));
  for (const std::string& bad : std::vector<std::string>{pack, pack + ".", pack + ".ec3+2.5.10", pack + ".ec3+2.01.10", pack + ".ec3+2.1.",
                          pack + ".rs3+2.1.10", pack + ".ec3+2.1.10x", "tree/ab/x.ec1+1.0.1"}) {
    EXPECT_FALSE(ParseShardName(bad)) << bad;
  }
  EXPECT_TRUE(IsDataPackName(pack));
  EXPECT_FALSE(IsDataPackName("tree" + pack.substr(4)));
  EXPECT_FALSE(IsDataPackName("data/zz" + pack.substr(7)));
  EXPECT_EQ(ContentHashOf("snapshots/" + pack.substr(8)), pack.substr(8));
  EXPECT_FALSE(ContentHashOf("config"));
}

TEST(DebtRecordTest, RoundTripAndRejects) {
  DebtRecord r{123, "host", {{"data/ab/x", "aws"}, {"index/y", "azure"}}};
  auto parsed = DebtRecord::Parse(r.Serialize());
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->time_ns, 123);
  EXPECT_EQ(parsed->host, "host");
  EXPECT_EQ(parsed->entries, r.entries);
  for (std::string bad : {"", "[]", "{}", R"({"version":2,"missing":[]})", R"({"version":1,"missing":[{"object":1}]})",
                          R"({"version":1,"missing":[],"removed":{}})",
                          R"({"version":1,"missing":[],"removed":[{"object":"index/y"}]})"}) {
    EXPECT_FALSE(DebtRecord::Parse(Bytes(bad.begin(), bad.end()))) << bad;
  }
}

TEST(DebtRecordTest, RemoveEntriesKeepTheFormatReadableBothWays) {
  // A record as arkiv wrote it before remove debt: placements only.
  std::string old = R"({"host":"h","missing":[{"cloud":"aws","object":"index/y"}],"time_ns":5,"version":1})";
  auto parsed = DebtRecord::Parse(Bytes(old.begin(), old.end()));
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->entries, (std::vector<DebtEntry>{{"index/y", "aws", DebtOp::kPlace}}));
  EXPECT_FALSE(parsed->HasRemovals());
  // Without removes, the bytes are what older versions wrote.
  EXPECT_EQ(parsed->Serialize(), Bytes(old.begin(), old.end()));

  DebtRecord both{9, "h", {{"data/ab/x", "aws"}, {"snapshots/z", "azure", DebtOp::kRemove}}};
  Bytes bytes = both.Serialize();
  auto back = DebtRecord::Parse(bytes);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->entries, both.entries);
  EXPECT_TRUE(back->HasRemovals());
  // An older reader takes "missing" and ignores "removed": it must not see
  // the remove as a placement to make (it would copy the snapshot back).
  auto j = nlohmann::json::parse(bytes.begin(), bytes.end());
  EXPECT_EQ(j["missing"], nlohmann::json::parse(R"([{"object":"data/ab/x","cloud":"aws"}])"));
  EXPECT_EQ(j["removed"], nlohmann::json::parse(R"([{"object":"snapshots/z","cloud":"azure"}])"));
}

TEST(CloudSetTest, RoundTripValidationAndSecrets) {
  CloudSet set;
  set.generation = 7;
  set.policy = *ParsePolicy("ec:2+1");
  set.clouds = {{"aws", "s3://b/p?region=eu-west-1", 1.0}, {"az", "azure://acct/c", 2.5}, {"nas", "sftp://u@h/p", 1}};
  auto parsed = CloudSet::Parse(set.Serialize());
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->generation, 7u);
  EXPECT_EQ(parsed->policy, set.policy);
  EXPECT_EQ(parsed->clouds, set.clouds);
  CloudSet two = set;
  two.clouds.pop_back();
  EXPECT_NE(two.Validate().error().message().find("needs exactly 3 clouds"), std::string::npos);
  CloudSet same_url = set;
  same_url.clouds[1].url = same_url.clouds[0].url;
  EXPECT_FALSE(same_url.Validate());
  for (std::string url : {"azure://a/c?sig=abc", "azure://a/c?x=1&SIG=abc", "sftp://u:pw@h/p", "s3://b?secret_key=x",
                          "azure://a/c?AccountKey=k"}) {
    auto st = CheckNoSecretsInUrl(url);
    ASSERT_FALSE(st) << url;
    EXPECT_EQ(st.error().message().find("abc"), std::string::npos);
    EXPECT_EQ(st.error().message().find("pw"), std::string::npos);
  }
  EXPECT_TRUE(CheckNoSecretsInUrl("s3://b/p?region=r&endpoint=http://127.0.0.1:9000"));
  EXPECT_TRUE(CheckNoSecretsInUrl("sftp://user@host:22/path?key=/root/.ssh/id"));
  for (std::string bad : {"", "{}", R"({"version":1,"generation":1,"policy":"ec:2+1","clouds":[]})",
                          R"({"version":1,"generation":-1,"policy":"replicate","clouds":[{"name":"a","url":"u"}]})"}) {
    EXPECT_EQ(CodeOf(CloudSet::Parse(Bytes(bad.begin(), bad.end()))), Code::kDataLoss) << bad;
  }
  EXPECT_TRUE(ParseCloudArgument("aws=s3://b"));
  EXPECT_FALSE(ParseCloudArgument("aws"));
  EXPECT_FALSE(ParseCloudArgument("=s3://b"));
  EXPECT_FALSE(ParseCloudArgument("Bad Name=s3://b"));
}

TEST(CloudSetTest, PendingChangeRoundTripsAndAdvances) {
  CloudSet set;
  set.generation = 3;
  set.policy = *ParsePolicy("replicate");
  set.clouds = {{"a", "file:///a", 1.0}, {"b", "file:///b", 1.0}};
  EXPECT_EQ(set.Target(), (PendingClouds{set.policy, 0, set.clouds}));
  // A pending policy need not fit the pending cloud count yet (rebalance
  // --policy may still change it), but names and URLs are checked.
  set.pending = PendingClouds{*ParsePolicy("ec:2+1"), 0, {set.clouds[0], set.clouds[1], {"c", "file:///c", 0.5}}};
  set.pending->clouds.push_back({"d", "file:///d", 1.0});
  ASSERT_TRUE(set.Validate());
  auto parsed = CloudSet::Parse(set.Serialize());
  ASSERT_TRUE(parsed) << parsed.error().message();
  ASSERT_TRUE(parsed->pending);
  EXPECT_EQ(*parsed->pending, *set.pending);
  EXPECT_EQ(parsed->clouds, set.clouds);
  CloudSet next = set.Advanced(*set.pending);
  EXPECT_EQ(next.generation, 4u);
  EXPECT_FALSE(next.pending);
  EXPECT_EQ(next.clouds.size(), 4u);
  EXPECT_EQ(next.policy.ToString(), "ec:2+1");
  EXPECT_FALSE(next.Validate());  // ec:2+1 over four clouds
  set.pending->clouds[3].url = "file:///a";
  EXPECT_FALSE(set.Validate());  // two pending clouds with one URL
  std::string bad = R"({"version":1,"generation":1,"policy":"replicate","clouds":[{"name":"a","url":"u"}],"pending":7})";
  EXPECT_EQ(CodeOf(CloudSet::Parse(Bytes(bad.begin(), bad.end()))), Code::kDataLoss);
}

TEST(PlacementStoreTest, CreateValidates) {
  std::vector<Cloud> two = {{"a", std::make_shared<MemoryStore>("a")}, {"b", std::make_shared<MemoryStore>("b")}};
  PlacementOptions ec;
  ec.policy = *ParsePolicy("ec:2+1");
  auto r = PlacementStore::Create(two, ec);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("needs exactly 3 clouds"), std::string::npos);
  std::vector<Cloud> dup = {{"a", std::make_shared<MemoryStore>("a")}, {"a", std::make_shared<MemoryStore>("b")}};
  EXPECT_FALSE(PlacementStore::Create(dup, {}));
  EXPECT_FALSE(PlacementStore::Create({}, {}));
}

// --- data packs: every policy, every loss it must survive ----------------------

struct PackCase {
  size_t clouds;
  std::string policy;
  size_t tolerated;  // clouds that may be lost
};

class PlacementPackTest : public ::testing::TestWithParam<PackCase> {};

TEST_P(PlacementPackTest, ReadsSurviveToleratedLossesAndFailCleanlyBeyond) {
  const PackCase& c = GetParam();
  Fixture f(c.clouds, c.policy, static_cast<int>(c.clouds));
  Bytes pack = RandomBytes(3 * 1024 * 1024 + 17, 7);
  std::string name = PackNameOf(pack);
  ASSERT_OK(f.store->Put(name, pack));
  ASSERT_EQ(*f.store->Get(name), pack);

  auto ranged_ok = [&](uint64_t offset, uint64_t length) {
    Result<Bytes> got = f.store->GetChecked(name, offset, length, [&](ByteView b) -> Status {
      if (!std::equal(b.begin(), b.end(), pack.begin() + static_cast<ptrdiff_t>(offset))) {
        return Fail(Code::kDataLoss, "wrong bytes");
      }
      return OkStatus();
    });
    ASSERT_TRUE(got) << got.error().message();
    ASSERT_EQ(got->size(), length);
  };
  // Every subset of lost clouds up to the tolerance: whole and ranged reads right.
  for (uint32_t mask = 0; mask < (1u << c.clouds); ++mask) {
    if (static_cast<size_t>(__builtin_popcount(mask)) > c.tolerated) continue;
    for (size_t i = 0; i < c.clouds; ++i) {
      if (mask & (1u << i)) f.Down(i);
    }
    auto whole = f.store->Get(name);
    ASSERT_TRUE(whole) << "mask " << mask << ": " << whole.error().message();
    EXPECT_EQ(*whole, pack) << "mask " << mask;
    ranged_ok(0, 1);
    ranged_ok(1024 * 1024 - 3, 2 * 1024 * 1024);  // crosses shard boundaries
    ranged_ok(pack.size() - 5, 5);
    for (size_t i = 0; i < c.clouds; ++i) f.Up(i);
  }
  // One more lost cloud than tolerated: an error, never wrong bytes.
  for (size_t i = 0; i <= c.tolerated; ++i) f.Down(i);
  auto lost = f.store->Get(name);
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().code(), Code::kUnavailable) << lost.error().message();
  EXPECT_NE(lost.error().message().find("cloud c0"), std::string::npos) << lost.error().message();
}

TEST_P(PlacementPackTest, WipedCloudsAndCorruptCopiesAreReadAround) {
  const PackCase& c = GetParam();
  Fixture f(c.clouds, c.policy, static_cast<int>(c.clouds));
  std::vector<Bytes> packs;
  for (int p = 0; p < 4; ++p) {
    packs.push_back(RandomBytes(200'000 + p * 999, 100 + p));
    ASSERT_OK(f.store->Put(PackNameOf(packs.back()), packs.back()));
  }
  uint64_t degraded = 0;
  for (size_t wiped = 0; wiped < c.clouds; ++wiped) {
    Fixture g(c.clouds, c.policy, static_cast<int>(c.clouds));
    for (const auto& p : packs) ASSERT_OK(g.store->Put(PackNameOf(p), p));
    g.Wipe(wiped);
    // Tolerating two losses, a wiped cloud and one corrupt read are survived.
    if (c.tolerated >= 2) g.faults[(wiped + 1) % c.clouds]->AddRule(FaultRule::Corrupt().Times(1));
    for (const auto& p : packs) {
      auto got = g.store->Get(PackNameOf(p));
      ASSERT_TRUE(got) << got.error().message();
      EXPECT_EQ(*got, p);
    }
    degraded += g.store->stats().degraded_reads;
  }
  // A wiped parity cloud is not read at all, but wiped data clouds are.
  EXPECT_GT(degraded, 0u) << "wiped clouds must show as degraded reads";
}

INSTANTIATE_TEST_SUITE_P(Policies, PlacementPackTest,
                         ::testing::Values(PackCase{3, "replicate", 2}, PackCase{2, "replicate", 1},
                                           PackCase{3, "ec:2+1", 1}, PackCase{5, "ec:3+2", 2},
                                           PackCase{4, "ec:2+2", 2}),
                         [](const auto& info) {
                           std::string n = info.param.policy + "_" + std::to_string(info.param.clouds);
                           for (char& ch : n) {
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return n;
                         });

TEST(PlacementStoreTest, EcStoresShardsNamedWithSizeAndListsPacks) {
  Fixture f(3, "ec:2+1");
  Bytes pack = RandomBytes(100'001, 3);
  std::string name = PackNameOf(pack);
  ASSERT_OK(f.store->Put(name, pack));
  for (size_t i = 0; i < 3; ++i) {
    std::string child = FormatShardName({name, 2, 1, static_cast<int>(i), pack.size()});
    auto object = f.memory[i]->Get(child);
    ASSERT_TRUE(object) << child;
    auto shard = ParseShard(*object);
    ASSERT_TRUE(shard) << shard.error().message();
    EXPECT_EQ(shard->header.index, static_cast<int>(i));
    EXPECT_EQ(shard->header.payload_size(), 50'001u);
    EXPECT_FALSE(f.memory[i]->Get(name));  // no whole copy anywhere
  }
  // Stored bytes: (K+M)/K of the pack plus three small headers.
  size_t stored = 0;
  for (size_t i = 0; i < 3; ++i) {
    ASSERT_OK(f.memory[i]->List("data/", [&](const storage::ObjectInfo& info) {
      stored += info.size;
      return OkStatus();
    }));
  }
  EXPECT_EQ(stored, 3 * (50'001 + kShardHeaderSize));
  auto names = storage::testing::ListNames(*f.store, "data/");
  EXPECT_EQ(names, std::multiset<std::string>{name});
  auto info = f.store->Stat(name);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->size, pack.size());
  // A fresh store over the same clouds learns the layout from a listing.
  Fixture g(3, "ec:2+1");
  for (size_t i = 0; i < 3; ++i) {
    ASSERT_OK(f.memory[i]->List("", [&](const storage::ObjectInfo& o) {
      return g.memory[i]->Put(o.name, *f.memory[i]->Get(o.name));
    }));
  }
  EXPECT_EQ(*g.store->Get(name, 50'000, 2), Bytes(pack.begin() + 50'000, pack.begin() + 50'002));
  ASSERT_OK(f.store->Remove(name));
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(f.Objects(i, "data/"), 0u);
  EXPECT_EQ(f.store->Get(name).error().code(), Code::kNotFound);
  EXPECT_EQ(f.store->Remove(name).error().code(), Code::kNotFound);
}

TEST(PlacementStoreTest, PutBelowQuorumFailsAndLeavesNothing) {
  Fixture f(3, "ec:2+1");  // quorum 2
  f.Down(1);
  f.Down(2);
  Bytes pack = RandomBytes(5000, 9);
  auto st = f.store->Put(PackNameOf(pack), pack);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), Code::kUnavailable);
  EXPECT_NE(st.error().message().find("stored on 1 of 3 clouds, 2 needed"), std::string::npos) << st.error().message();
  EXPECT_EQ(f.Objects(0), 0u) << "the shard that landed must be rolled back";
  auto snap = f.store->Put("snapshots/" + std::string(64, 'a'), pack);
  ASSERT_FALSE(snap);
  EXPECT_EQ(f.Objects(0), 0u);
}

TEST(PlacementStoreTest, MissedPlacementsBecomeRepairDebtBeforeTheSnapshot) {
  Fixture f(3, "ec:2+1");
  f.Down(2);
  std::vector<std::string> names;
  for (int p = 0; p < 3; ++p) {
    Bytes pack = RandomBytes(4000 + p, 20 + p);
    names.push_back(PackNameOf(pack));
    ASSERT_OK(f.store->Put(names.back(), pack));
  }
  // Skipped at once after the first failure: no waiting on a down cloud.
  EXPECT_LE(f.faults[2]->Calls(Operation::kPut), 1u);
  auto debt = f.store->UnflushedDebt();
  ASSERT_EQ(debt.size(), 3u);
  for (const auto& d : debt) EXPECT_EQ(d.cloud, "c2");
  EXPECT_EQ(f.store->stats().missed_placements, 3u);
  EXPECT_EQ(f.Objects(0, "repair/"), 0u);
  // The snapshot put flushes the packs' debt first; its own miss is the next debt.
  Bytes snap = {1, 2, 3};
  ASSERT_OK(f.store->Put("snapshots/" + crypto::Sha256(snap).Hex(), snap));
  ASSERT_EQ(f.store->UnflushedDebt().size(), 1u);
  EXPECT_TRUE(f.store->UnflushedDebt()[0].object.starts_with("snapshots/"));
  ASSERT_EQ(f.Objects(0, "repair/"), 1u);
  ASSERT_EQ(f.Objects(1, "repair/"), 1u);
  std::string record_name;
  ASSERT_OK(f.memory[0]->List("repair/", [&](const storage::ObjectInfo& o) {
    record_name = o.name;
    return OkStatus();
  }));
  auto record = DebtRecord::Parse(*f.memory[0]->Get(record_name));
  ASSERT_TRUE(record);
  EXPECT_EQ(record->entries.size(), 3u);
  ASSERT_OK(f.store->FlushDebt());
  EXPECT_TRUE(f.store->UnflushedDebt().empty());
  EXPECT_EQ(f.Objects(1, "repair/"), 2u);
  EXPECT_EQ(f.Objects(2, "repair/"), 0u);
  // Locks are not debt.
  ASSERT_OK(f.store->Put("locks/" + std::string(64, 'b'), snap));
  EXPECT_TRUE(f.store->UnflushedDebt().empty());
}

TEST(PlacementStoreTest, ReadsDoNotWaitOnADataCloudKnownToBeDown) {
  Fixture f(3, "ec:2+1");
  Bytes pack = RandomBytes(300'000, 31);
  std::string name = PackNameOf(pack);
  ASSERT_OK(f.store->Put(name, pack));
  f.Down(1);
  auto ranged = [&](uint64_t offset, uint64_t length) {
    return f.store->GetChecked(name, offset, length, [&](ByteView b) -> Status {
      if (!std::equal(b.begin(), b.end(), pack.begin() + static_cast<ptrdiff_t>(offset))) {
        return Fail(Code::kDataLoss, "wrong bytes");
      }
      return OkStatus();
    });
  };
  // The second half of the pack is data shard 1, on c1: the first read finds
  // c1 down and decodes from parity.
  ASSERT_OK(ranged(200'000, 1000));
  f.faults[1]->ResetCalls();
  for (uint64_t at = 160'000; at < 290'000; at += 10'000) {
    auto got = ranged(at, 5000);
    ASSERT_TRUE(got) << got.error().message();
    EXPECT_EQ(got->size(), 5000u);
  }
  auto whole = f.store->Get(name);
  ASSERT_TRUE(whole) << whole.error().message();
  EXPECT_EQ(*whole, pack);
  // Each call to a down server costs its retries (seconds) before it fails.
  EXPECT_EQ(f.faults[1]->Calls(Operation::kGet), 0u) << "a cloud known to be down is asked again at once";
  EXPECT_GE(f.store->stats().degraded_reads, 14u);
}

TEST(PlacementStoreTest, ListIsCompleteWithOneCloudDownDegradedWithTwoAndRefusedWithAll) {
  Fixture f(3, "replicate");  // quorum 2
  f.Down(0);
  for (int i = 0; i < 20; ++i) ASSERT_OK(f.store->Put("index/" + std::to_string(i), Bytes{1}));
  f.Up(0);
  f.Down(1);
  EXPECT_EQ(storage::testing::ListNames(*f.store, "index/").size(), 20u);
  EXPECT_EQ(f.store->stats().degraded_reads, 0u);
  // Only cloud 0 answers, and it was out when the objects were written: the
  // listing is incomplete, and says so (counted, logged), rather than
  // leaving the repository unreadable while two clouds are out.
  f.Down(2);
  EXPECT_EQ(storage::testing::ListNames(*f.store, "index/").size(), 0u);
  EXPECT_EQ(f.store->stats().degraded_reads, 1u);
  f.Down(0);
  auto st = f.store->List("index/", [](const storage::ObjectInfo&) { return OkStatus(); });
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), Code::kUnavailable);
}

TEST(PlacementStoreTest, CorruptCopyOfNamedObjectIsReadFromAnother) {
  Fixture f(2, "replicate");
  Bytes data = RandomBytes(1000, 5);
  std::string name = "index/" + crypto::Sha256(data).Hex();
  ASSERT_OK(f.store->Put(name, data));
  f.faults[0]->AddRule(FaultRule::Corrupt());
  for (int i = 0; i < 2; ++i) {
    auto got = f.store->Get(name);
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, data);
  }
  f.faults[1]->AddRule(FaultRule::Corrupt());
  auto bad = f.store->Get(name);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), Code::kDataLoss);
}

// Seeded random failures, delays and corruptions on every cloud, for many
// reads and writes: a read returns the right bytes or an error, never wrong
// bytes, and with at most M clouds misbehaving it always succeeds.
TEST(PlacementStoreTest, RandomFaultsNeverGiveWrongBytes) {
  for (std::string policy : {"ec:3+2", "replicate"}) {
    Fixture f(5, policy);
    std::mt19937_64 rng(42);
    std::vector<Bytes> packs;
    for (int p = 0; p < 12; ++p) {
      packs.push_back(RandomBytes(1000 + rng() % 300'000, rng()));
      ASSERT_OK(f.store->Put(PackNameOf(packs.back()), packs.back()));
    }
    size_t ok = 0, failed = 0;
    for (int round = 0; round < 60; ++round) {
      for (size_t i = 0; i < 5; ++i) f.faults[i]->ClearRules();
      // Two misbehaving clouds (within tolerance of both policies).
      size_t a = rng() % 5, b = (a + 1 + rng() % 4) % 5;
      for (size_t i : {a, b}) {
        switch (rng() % 4) {
          case 0: f.faults[i]->AddRule(FaultRule::Fail(Code::kUnavailable).WithProbability(0.5)); break;
          case 1: f.faults[i]->AddRule(FaultRule::Corrupt().WithProbability(0.7)); break;
          case 2: f.faults[i]->AddRule(FaultRule::Fail(Code::kNotFound).On(Operation::kGet)); break;
          case 3:
            f.faults[i]->AddRule(FaultRule::Delay(std::chrono::milliseconds(2)));
            f.faults[i]->AddRule(FaultRule::Corrupt().WithProbability(0.3));
            break;
        }
      }
      const Bytes& pack = packs[rng() % packs.size()];
      uint64_t offset = rng() % pack.size();
      uint64_t length = 1 + rng() % (pack.size() - offset);
      auto got = f.store->GetChecked(PackNameOf(pack), offset, length, [&](ByteView bytes) -> Status {
        if (!std::equal(bytes.begin(), bytes.end(), pack.begin() + static_cast<ptrdiff_t>(offset))) {
          return Fail(Code::kDataLoss, "checked: wrong bytes");
        }
        return OkStatus();
      });
      auto whole = f.store->Get(PackNameOf(pack));
      for (auto* r : {&got, &whole}) {
        if (*r) {
          ok++;
        } else {
          failed++;
          ADD_FAILURE() << policy << " round " << round << ": " << r->error().message();
        }
      }
      ASSERT_TRUE(!whole || *whole == pack) << "wrong bytes returned";
    }
    EXPECT_EQ(failed, 0u);
    EXPECT_GT(ok, 0u);
  }
}


// --- remove debt: a remove one cloud missed --------------------------------------

class RemoveDebtTest : public ::testing::TestWithParam<std::string> {};

// What a reader lists, repair records aside.
std::multiset<std::string> Visible(Store& store) {
  std::multiset<std::string> names;
  for (std::string_view prefix : {"data/", "index/", "snapshots/"}) names.merge(storage::testing::ListNames(store, prefix));
  return names;
}

// A snapshot-like object and a data pack, removed while cloud 2 fails its
// removes: both gone for every reader (this store and a fresh one over the
// same clouds), the copies left on cloud 2 recorded as remove debt.
TEST_P(RemoveDebtTest, ARemoveOneCloudMissedStaysRemovedForEveryReader) {
  Fixture f(3, GetParam());
  Bytes snap = RandomBytes(700, 1);
  std::string snapshot = "snapshots/" + crypto::Sha256(snap).Hex();
  Bytes pack = RandomBytes(90'000, 2);
  std::string pack_name = PackNameOf(pack);
  ASSERT_OK(f.store->Put(snapshot, snap));
  ASSERT_OK(f.store->Put(pack_name, pack));
  f.faults[2]->AddRule(FaultRule::Fail(Code::kUnavailable).On(Operation::kRemove));
  ASSERT_OK(f.store->Remove(snapshot));
  ASSERT_OK(f.store->Remove(pack_name));
  EXPECT_EQ(f.Objects(2, "snapshots/"), 1u) << "cloud 2 keeps its copy";
  EXPECT_EQ(f.Objects(2, "data/"), 1u);
  EXPECT_EQ(f.Objects(0, "snapshots/") + f.Objects(1, "snapshots/") + f.Objects(0, "data/") + f.Objects(1, "data/"),
            0u);
  EXPECT_EQ(f.store->stats().missed_removes, 2u);
  EXPECT_EQ(f.store->stats().cloud_missed_removes, (std::vector<uint64_t>{0, 0, 2}));
  // A snapshot's remove debt is on record before Remove returns; a pack's
  // goes with the next flush (its leftover is an unindexed pack at worst).
  EXPECT_EQ(f.store->UnflushedDebt(), (std::vector<DebtEntry>{{pack_name, "c2", DebtOp::kRemove}}));
  EXPECT_EQ(f.Objects(0, "repair/"), 1u);
  ASSERT_OK(f.store->FlushDebt());
  EXPECT_EQ(f.Objects(0, "repair/"), 2u);
  EXPECT_EQ(f.Objects(2, "repair/"), 0u) << "cloud 2 is down for a while after failing: not written to";

  // Another process, over the same clouds.
  std::vector<Cloud> clouds;
  for (size_t i = 0; i < 3; ++i) clouds.push_back({"c" + std::to_string(i), f.faults[i], 1.0});
  PlacementOptions options;
  options.policy = *ParsePolicy(GetParam());
  ASSERT_OK_AND_ASSIGN(auto other, PlacementStore::Create(clouds, options));
  for (Store* store : {static_cast<Store*>(f.store.get()), static_cast<Store*>(other.get())}) {
    EXPECT_EQ(Visible(*store), std::multiset<std::string>{}) << "the union shows a leftover";
    EXPECT_EQ(CodeOf(store->Get(snapshot)), Code::kNotFound);
    EXPECT_EQ(CodeOf(store->Stat(snapshot)), Code::kNotFound);
    EXPECT_EQ(CodeOf(store->Get(pack_name)), Code::kNotFound);
    EXPECT_EQ(CodeOf(store->Stat(pack_name)), Code::kNotFound);
    EXPECT_EQ(CodeOf(store->Get(pack_name, 10, 100)), Code::kNotFound);
    // Cloud 2 still fails: removing again records the copy there once more.
    EXPECT_OK(store->Remove(snapshot));
  }
  std::map<std::string, std::set<std::string>> pending{{snapshot, {"c2"}}, {pack_name, {"c2"}}};
  EXPECT_EQ(other->PendingRemovals(), pending);
}

// A Put of a name after a remove with debt wins: shown again, read again,
// and the debt is cancelled in memory and on record (a repair must not
// remove what was written after).
TEST_P(RemoveDebtTest, APutAfterTheRemoveWins) {
  Fixture f(3, GetParam());
  Bytes snap = RandomBytes(500, 3);
  std::string snapshot = "snapshots/" + crypto::Sha256(snap).Hex();
  Bytes pack = RandomBytes(60'000, 4);
  std::string pack_name = PackNameOf(pack);
  Bytes other = RandomBytes(400, 5);
  std::string unrelated = "index/" + crypto::Sha256(other).Hex();
  ASSERT_OK(f.store->Put(snapshot, snap));
  ASSERT_OK(f.store->Put(pack_name, pack));
  ASSERT_OK(f.store->Put(unrelated, other));
  auto rule = f.faults[2]->AddRule(FaultRule::Fail(Code::kUnavailable).On(Operation::kRemove));
  for (const auto& name : {snapshot, pack_name, unrelated}) ASSERT_OK(f.store->Remove(name));
  ASSERT_OK(f.store->FlushDebt());
  f.faults[2]->RemoveRule(rule);

  ASSERT_OK(f.store->Put(snapshot, snap));
  ASSERT_OK(f.store->Put(pack_name, pack));
  EXPECT_EQ(Visible(*f.store), (std::multiset<std::string>{pack_name, snapshot}));
  EXPECT_EQ(*f.store->Get(snapshot), snap);
  EXPECT_EQ(*f.store->Get(pack_name), pack);
  std::map<std::string, std::set<std::string>> pending{{unrelated, {"c2"}}};
  EXPECT_EQ(f.store->PendingRemovals(), pending);
  // On record: only the unrelated remove is left, in one record on each cloud.
  std::vector<DebtEntry> recorded;
  size_t records = 0;
  ASSERT_OK(f.memory[0]->List("repair/", [&](const storage::ObjectInfo& o) {
    records++;
    auto record = DebtRecord::Parse(*f.memory[0]->Get(o.name));
    EXPECT_TRUE(record);
    if (record) recorded.insert(recorded.end(), record->entries.begin(), record->entries.end());
    return OkStatus();
  }));
  EXPECT_EQ(records, 1u);
  EXPECT_EQ(recorded, (std::vector<DebtEntry>{{unrelated, "c2", DebtOp::kRemove}}));
  std::vector<Cloud> clouds;
  for (size_t i = 0; i < 3; ++i) clouds.push_back({"c" + std::to_string(i), f.faults[i], 1.0});
  PlacementOptions options;
  options.policy = *ParsePolicy(GetParam());
  ASSERT_OK_AND_ASSIGN(auto fresh, PlacementStore::Create(clouds, options));
  EXPECT_EQ(Visible(*fresh), (std::multiset<std::string>{pack_name, snapshot}));
  EXPECT_EQ(*fresh->Get(pack_name, 1000, 10), Bytes(pack.begin() + 1000, pack.begin() + 1010));
}

// A cloud known to be down is not asked: its copy is debt at once.
TEST_P(RemoveDebtTest, ACloudKnownDownIsNotWaitedFor) {
  Fixture f(3, GetParam());
  std::vector<std::string> names;
  for (int i = 0; i < 4; ++i) {
    Bytes b = RandomBytes(300, 10 + i);
    names.push_back("snapshots/" + crypto::Sha256(b).Hex());
    ASSERT_OK(f.store->Put(names.back(), b));
  }
  f.Down(1);
  for (const auto& n : names) ASSERT_OK(f.store->Remove(n));
  EXPECT_LE(f.faults[1]->Calls(Operation::kRemove) + f.faults[1]->Calls(Operation::kList), 2u);
  EXPECT_EQ(f.store->stats().cloud_missed_removes[1], 4u);
  EXPECT_EQ(storage::testing::ListNames(*f.store, "snapshots/").size(), 0u);
  f.Up(1);
  EXPECT_EQ(storage::testing::ListNames(*f.store, "snapshots/").size(), 0u) << "back, and still hidden";
  EXPECT_EQ(f.Objects(1, "snapshots/"), 4u);
}

// When no cloud takes the record, the caller must not believe the remove
// is done for good: other processes would see the copy left.
TEST_P(RemoveDebtTest, ARemoveWhoseDebtCannotBeRecordedFails) {
  Fixture f(3, GetParam());
  Bytes b = RandomBytes(300, 20);
  std::string name = "snapshots/" + crypto::Sha256(b).Hex();
  ASSERT_OK(f.store->Put(name, b));
  f.faults[2]->AddRule(FaultRule::Fail(Code::kUnavailable).On(Operation::kRemove));
  for (size_t i : {0, 1}) f.faults[i]->AddRule(FaultRule::Fail(Code::kUnavailable).WithPrefix("repair/"));
  auto st = f.store->Remove(name);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), Code::kUnavailable);
  EXPECT_NE(st.error().message().find("could not record"), std::string::npos) << st.error().message();
  // Still hidden here, and recorded as soon as a cloud takes it.
  EXPECT_EQ(CodeOf(f.store->Stat(name)), Code::kNotFound);
  for (size_t i : {0, 1}) f.faults[i]->ClearRules();
  ASSERT_OK(f.store->FlushDebt());
  EXPECT_EQ(f.Objects(0, "repair/"), 1u);
}

INSTANTIATE_TEST_SUITE_P(Policies, RemoveDebtTest, ::testing::Values("replicate", "ec:2+1"),
                         [](const auto& info) { return info.param == "replicate" ? "replicate" : "ec2_1"; });

}  // namespace
}  // namespace arkiv::placement

// The placement store is a Store like any other.
ARKIV_STORE_CONFORMANCE(PlacementReplicate3, [] {
  std::vector<arkiv::placement::Cloud> clouds;
  for (int i = 0; i < 3; ++i) {
    clouds.push_back({"c" + std::to_string(i), std::make_shared<arkiv::storage::MemoryStore>("m" + std::to_string(i))});
  }
  return std::shared_ptr<arkiv::storage::Store>(*arkiv::placement::PlacementStore::Create(clouds, {}));
});
ARKIV_STORE_CONFORMANCE(PlacementEc2p1, [] {
  std::vector<arkiv::placement::Cloud> clouds;
  for (int i = 0; i < 3; ++i) {
    clouds.push_back({"c" + std::to_string(i), std::make_shared<arkiv::storage::MemoryStore>("m" + std::to_string(i))});
  }
  arkiv::placement::PlacementOptions options;
  options.policy = *arkiv::placement::ParsePolicy("ec:2+1");
  return std::shared_ptr<arkiv::storage::Store>(*arkiv::placement::PlacementStore::Create(clouds, options));
});
