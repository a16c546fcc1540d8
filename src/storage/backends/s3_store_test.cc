// S3Store against moto (the conformance suite, multipart, prefixes, virtual
// hosts, a missing bucket), against the signature-checking s3rver, and
// against boto3 as an independent client. Servers run on 127.0.0.1 only.
#include "storage/backends/s3_store.h"

#include <gtest/gtest.h>
#include <stdio.h>

#include <cstdlib>

#include "core/status_test_util.h"
#include "storage/open_store.h"
#include "storage/testing/conformance.h"
#include "storage/testing/failing_proxy.h"
#include "storage/testing/moto_server.h"
#include "storage/testing/s3rver_server.h"
#include "storage/wrappers/retry_store.h"

namespace arkiv::storage {
namespace {

using testing::MotoServer;
using testing::Pattern;
using testing::S3rverServer;

// Options for a fresh bucket on the shared moto server; the bucket is created.
std::shared_ptr<S3Store> NewMotoStore(const std::function<void(S3Options&)>& adjust = nullptr) {
  auto server = MotoServer::Shared();
  if (!server) {
    ADD_FAILURE() << server.error().message();
    return nullptr;
  }
  S3Options options;
  options.bucket = testing::UniqueBucketName();
  options.endpoint = (*server)->endpoint();
  options.path_style = true;
  options.credentials = {"testing", "testing", ""};
  if (adjust) adjust(options);
  auto store = std::make_shared<S3Store>(options);
  if (auto st = store->CreateBucket(); !st) {
    ADD_FAILURE() << st.error().message();
    return nullptr;
  }
  return store;
}

// Runs `script` with the machine's python3 (boto3) against moto; returns
// its standard output, or nullopt if it failed.
std::optional<std::string> RunBoto3(const std::string& script) {
  std::string path = testing::MakeTempDir("boto3") + "/script.py";
  FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) return std::nullopt;
  std::fputs(script.c_str(), file);
  std::fclose(file);
  std::string command = "AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing python3 " + path;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  std::string out;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof(buffer), pipe)) out.append(buffer, n);
  if (::pclose(pipe) != 0) {
    ADD_FAILURE() << "boto3 script failed:\n" << script << "\noutput:\n" << out;
    return std::nullopt;
  }
  return out;
}

std::string Boto3Client(const S3Store& store) {
  return "import boto3\n"
         "s3 = boto3.client('s3', endpoint_url='" +
         store.options().endpoint + "', region_name='us-east-1')\n";
}

}  // namespace
}  // namespace arkiv::storage

// Behind a RetryStore, as arkiv stacks every cloud store: moto 5.2.1 closes
// a replaced object's buffer under a concurrent GET and answers HTTP 500
// ("I/O operation on closed file"), which S3Store rightly reports as
// kUnavailable; ReplaceIsAtomicForReaders meets that race now and then.
// Real S3 serves the old or the new object. Only kUnavailable and
// kResourceExhausted are retried, so every other outcome is S3Store's own.
ARKIV_STORE_CONFORMANCE(S3Moto, []() -> std::shared_ptr<arkiv::storage::Store> {
  auto store = arkiv::storage::NewMotoStore();
  if (store == nullptr) return nullptr;
  arkiv::storage::RetryPolicy policy;
  policy.max_attempts = 4;
  policy.base_delay = std::chrono::milliseconds(10);
  return std::make_shared<arkiv::storage::RetryStore>(store, policy);
});

namespace arkiv::storage {
namespace {

TEST(S3StoreMotoTest, MultipartUploadAboveTheThreshold) {
  auto store = NewMotoStore([](S3Options& o) {
    o.multipart_threshold = 8 << 20;
    o.part_size = 5 << 20;
  });
  ASSERT_NE(store, nullptr);
  constexpr size_t kSize = (20u << 20) + 123;
  Bytes data = Pattern(kSize, 5);
  ASSERT_TRUE(store->Put("data/big", data));
  auto got = store->Get("data/big");
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_TRUE(*got == data);
  // A range across the boundary of parts 1 and 2.
  auto range = store->Get("data/big", (5u << 20) - 100, 200);
  ASSERT_TRUE(range);
  EXPECT_TRUE(std::equal(range->begin(), range->end(), data.begin() + (5 << 20) - 100));
  // S3 names a multipart object's ETag by its part count.
  http::Client client;
  http::Request head{"HEAD", store->options().endpoint + "/" + store->options().bucket + "/data/big", {}, {}};
  auto response = client.Send(head);
  ASSERT_TRUE(response);
  EXPECT_TRUE(response->Header("etag").ends_with("-5\"")) << response->Header("etag");
  EXPECT_EQ(CodeOf(store->Put("data/big", data, PutMode::kCreateOnly)), Code::kAlreadyExists);
  EXPECT_EQ(*store->Get("data/big", kSize - 3), Bytes(data.end() - 3, data.end()));
  // The refused upload was aborted: no upload is left in progress.
  http::Request uploads{"GET", store->options().endpoint + "/" + store->options().bucket + "?uploads", {}, {}};
  auto listed = client.Send(uploads);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->status, 200);
  EXPECT_EQ(AsString(listed->body).find("<Upload>"), std::string_view::npos) << AsString(listed->body);
}

// Uploads in progress in the store's bucket, as moto lists them.
std::string UploadsInProgress(const S3Store& store) {
  http::Client client;
  auto listed = client.Send({.method = "GET",
                             .url = store.options().endpoint + "/" + store.options().bucket + "?uploads",
                             .headers = {},
                             .body = {}});
  if (!listed || listed->status != 200) {
    ADD_FAILURE() << "cannot list the multipart uploads";
    return "";
  }
  return std::string(AsString(listed->body));
}

// The parts go up several at a time; one the server refuses fails the Put,
// the upload is aborted, and no object appears (or the old one stays).
TEST(S3StoreMotoTest, FailedPartAbortsTheUploadAndLeavesNoObject) {
  auto direct = NewMotoStore();
  ASSERT_NE(direct, nullptr);
  auto server = MotoServer::Shared();
  ASSERT_TRUE(server);
  auto proxy = testing::FailingProxy::Start((*server)->port(), "partNumber=3&", 1);
  ASSERT_TRUE(proxy) << proxy.error().message();
  S3Options options = direct->options();
  options.endpoint = (*proxy)->Endpoint();
  options.multipart_threshold = 8 << 20;
  options.part_size = 5 << 20;
  options.part_uploads = 4;
  S3Store parallel(options);
  Bytes data = Pattern((20u << 20) + 1, 7);  // 5 parts

  auto put = parallel.Put("data/new", data);
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().code(), Code::kUnavailable) << put.error().message();
  EXPECT_NE(put.error().message().find("data/new (multipart): part 3"), std::string::npos) << put.error().message();
  EXPECT_NE(put.error().message().find(direct->Location()), std::string::npos) << put.error().message();
  EXPECT_EQ(CodeOf(direct->Stat("data/new")), Code::kNotFound);
  EXPECT_EQ(UploadsInProgress(*direct).find("<Upload>"), std::string::npos) << UploadsInProgress(*direct);

  // One part at a time: nothing after part 3 is sent, and an old object stays.
  ASSERT_TRUE(direct->Put("data/old", AsBytes("old bytes")));
  options.part_uploads = 1;
  S3Store serial(options);
  size_t before = (*proxy)->Requests().size();
  ASSERT_FALSE(serial.Put("data/old", data));
  EXPECT_EQ(*direct->Get("data/old"), ToBytes("old bytes"));
  EXPECT_EQ(UploadsInProgress(*direct).find("<Upload>"), std::string::npos) << UploadsInProgress(*direct);
  std::vector<std::string> requests = (*proxy)->Requests();
  requests.erase(requests.begin(), requests.begin() + static_cast<ptrdiff_t>(before));
  std::vector<std::string> kinds;
  for (const std::string& request : requests) {
    std::string kind = request.substr(0, request.find(' '));
    if (size_t part = request.find("partNumber="); part != std::string::npos) {
      kind += " part " + request.substr(part + 11, request.find('&', part) - part - 11);
    }
    kinds.push_back(kind + request.substr(request.rfind(' ')));
  }
  EXPECT_EQ(kinds,
            (std::vector<std::string>{"POST 200", "PUT part 1 200", "PUT part 2 200", "PUT part 3 500", "DELETE 204"}));
}

// Many small parts, eight at a time, against the signature-checking s3rver
// (moto refuses parts under 5 MiB): every part is signed and lands in its place.
TEST(S3StoreS3rverTest, ManySmallPartsRoundTrip) {
  auto server = S3rverServer::Shared();
  ASSERT_TRUE(server) << server.error().message();
  S3Options options;
  options.bucket = testing::UniqueBucketName();
  options.endpoint = (*server)->endpoint();
  options.path_style = true;
  options.credentials = {S3rverServer::kAccessKey, S3rverServer::kSecretKey, ""};
  options.multipart_threshold = 100 << 10;
  options.part_size = 64 << 10;
  options.part_uploads = 8;
  S3Store store(options);
  ASSERT_TRUE(store.CreateBucket());
  Bytes data = Pattern((40u << 16) + 1234, 9);  // 41 parts, the last one short
  auto put = store.Put("data/many", data);
  ASSERT_TRUE(put) << put.error().message();
  auto got = store.Get("data/many");
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_TRUE(*got == data) << "the parts came back out of place";
  auto range = store.Get("data/many", (7u << 16) - 10, 20);
  ASSERT_TRUE(range) << range.error().message();
  EXPECT_EQ(*range, Bytes(data.begin() + (7 << 16) - 10, data.begin() + (7 << 16) + 10));
}

TEST(S3StoreMotoTest, PrefixKeepsStoresApart) {
  auto whole = NewMotoStore();
  ASSERT_NE(whole, nullptr);
  S3Options options = whole->options();
  options.prefix = "repos/one";
  S3Store one(options);
  EXPECT_EQ(one.Location(), "s3://" + options.bucket + "/repos/one");
  ASSERT_TRUE(one.Put("config", AsBytes("c")));
  ASSERT_TRUE(whole->Put("repos/onex", AsBytes("not in one")));
  EXPECT_EQ(testing::ListNames(one, ""), std::multiset<std::string>{"config"});
  EXPECT_EQ(testing::ListNames(*whole, ""), (std::multiset<std::string>{"repos/one/config", "repos/onex"}));
  EXPECT_EQ(*whole->Get("repos/one/config"), ToBytes("c"));
}

TEST(S3StoreMotoTest, VirtualHostStyle) {
  auto server = MotoServer::Shared();
  ASSERT_TRUE(server);
  auto store = NewMotoStore([&](S3Options& o) {
    o.endpoint = "http://localhost:" + std::to_string((*server)->port());
    o.path_style = false;
  });
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Put("data/x y", AsBytes("vhost")));
  EXPECT_EQ(*store->Get("data/x y"), ToBytes("vhost"));
  EXPECT_EQ(testing::ListNames(*store, "data/"), std::multiset<std::string>{"data/x y"});
  ASSERT_TRUE(store->Remove("data/x y"));
}

TEST(S3StoreMotoTest, MissingBucketSaysHowToCreateIt) {
  auto server = MotoServer::Shared();
  ASSERT_TRUE(server);
  S3Options options;
  options.bucket = testing::UniqueBucketName();
  options.endpoint = (*server)->endpoint();
  options.path_style = true;
  options.credentials = {"testing", "testing", ""};
  S3Store store(options);
  auto st = store.Put("config", AsBytes("x"));
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), Code::kFailedPrecondition);
  EXPECT_NE(st.error().message().find(options.bucket), std::string::npos) << st.error().message();
  EXPECT_NE(st.error().message().find("--create-bucket"), std::string::npos) << st.error().message();
  // A GET says so too (a 404 whose body names the bucket), whole or ranged.
  for (auto got : {store.Get("config"), store.Get("config", 1, 2)}) {
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error().code(), Code::kFailedPrecondition) << got.error().message();
    EXPECT_NE(got.error().message().find("does not exist at " + options.endpoint), std::string::npos)
        << got.error().message();
  }
  EXPECT_FALSE(store.List("", [](const ObjectInfo&) { return OkStatus(); }));
  ASSERT_TRUE(store.CreateBucket());
  ASSERT_TRUE(store.CreateBucket());  // already ours: fine
  EXPECT_TRUE(store.Put("config", AsBytes("x")));
}

TEST(S3StoreMotoTest, OpenStoreUsesTheEnvironment) {
  auto server = MotoServer::Shared();
  ASSERT_TRUE(server);
  auto bucket = NewMotoStore();
  ASSERT_NE(bucket, nullptr);
  ::setenv("AWS_ACCESS_KEY_ID", "testing", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "testing", 1);
  auto store = OpenStore("s3://" + bucket->options().bucket + "/repo?endpoint=" + (*server)->endpoint() +
                         "&part_uploads=2&connections=4");
  ::unsetenv("AWS_ACCESS_KEY_ID");
  ::unsetenv("AWS_SECRET_ACCESS_KEY");
  ASSERT_TRUE(store) << store.error().message();
  ASSERT_TRUE((*store)->Put("keys/k", AsBytes("key")));
  EXPECT_EQ(*bucket->Get("repo/keys/k"), ToBytes("key"));
}

TEST(S3StoreMotoTest, UnreachableEndpointIsUnavailable) {
  S3Options options;
  options.bucket = "nobody-listens";
  options.endpoint = "http://127.0.0.1:" + std::to_string(testing::FreePort());
  options.path_style = true;
  options.credentials = {"testing", "secret-never-shown", ""};
  S3Store store(options);
  auto got = store.Get("config");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code(), Code::kUnavailable);
  EXPECT_EQ(got.error().message().find("secret-never-shown"), std::string::npos);
}

TEST(S3StoreMotoTest, Boto3ReadsWhatArkivWroteAndBack) {
  auto store = NewMotoStore();
  ASSERT_NE(store, nullptr);
  const std::string bucket = store->options().bucket;
  ASSERT_TRUE(store->Put("snapshots/café & more", AsBytes("from arkiv")));
  auto listed = RunBoto3(Boto3Client(*store) + "r = s3.list_objects_v2(Bucket='" + bucket +
                         "')\n"
                         "for o in r['Contents']:\n"
                         "    body = s3.get_object(Bucket='" +
                         bucket +
                         "', Key=o['Key'])['Body'].read()\n"
                         "    print(o['Key'] + '=' + body.decode())\n"
                         "s3.put_object(Bucket='" +
                         bucket + "', Key='index/from boto3', Body=b'written by boto3')\n");
  ASSERT_TRUE(listed);
  EXPECT_EQ(*listed, "snapshots/café & more=from arkiv\n");
  auto got = store->Get("index/from boto3");
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_EQ(*got, ToBytes("written by boto3"));
  EXPECT_EQ(*store->Get("index/from boto3", 3, 7), ToBytes("tten by"));
}

// s3rver checks SigV4: it proves the signer, not just the data plane.
std::shared_ptr<S3Store> NewS3rverStore(const std::string& bucket, const std::string& secret) {
  auto server = S3rverServer::Shared();
  if (!server) {
    ADD_FAILURE() << server.error().message();
    return nullptr;
  }
  S3Options options;
  options.bucket = bucket;
  options.endpoint = (*server)->endpoint();
  options.path_style = true;
  options.credentials = {S3rverServer::kAccessKey, secret, ""};
  return std::make_shared<S3Store>(options);
}

TEST(S3StoreS3rverTest, SignedRequestsSucceed) {
  auto store = NewS3rverStore(testing::UniqueBucketName(), S3rverServer::kSecretKey);
  ASSERT_NE(store, nullptr);
  auto created = store->CreateBucket();
  ASSERT_TRUE(created) << created.error().message();
  const std::string names[] = {"data/ab/one", "data/ab/two & 'three'", "snapshots/日本語"};
  for (const auto& name : names) ASSERT_TRUE(store->Put(name, Pattern(3000, 1))) << name;
  for (const auto& name : names) {
    auto got = store->Get(name);
    ASSERT_TRUE(got) << got.error().message();
    EXPECT_EQ(*got, Pattern(3000, 1));
  }
  auto range = store->Get(names[1], 1000, 24);
  ASSERT_TRUE(range) << range.error().message();
  EXPECT_TRUE(std::equal(range->begin(), range->end(), Pattern(3000, 1).begin() + 1000));
  auto tail = store->Get(names[1], 2990);
  ASSERT_TRUE(tail) << tail.error().message();
  EXPECT_TRUE(std::equal(tail->begin(), tail->end(), Pattern(3000, 1).end() - 10));
  EXPECT_EQ(tail->size(), 10u);
  EXPECT_TRUE(store->Get(names[1], 3000)->empty());
  EXPECT_EQ(CodeOf(store->Get(names[1], 3001)), Code::kInvalidArgument);
  EXPECT_EQ(store->Stat(names[2])->size, 3000u);
  // s3rver escapes listed keys twice ("&amp;amp;"), so only plain names are compared.
  EXPECT_EQ(testing::ListNames(*store, "data/").size(), 2u);
  EXPECT_EQ(testing::ListNames(*store, "data/ab/o"), std::multiset<std::string>{names[0]});
  ASSERT_TRUE(store->Remove(names[0]));
  EXPECT_EQ(CodeOf(store->Get(names[0])), Code::kNotFound);
}

TEST(S3StoreS3rverTest, WrongSecretIsPermissionDenied) {
  const std::string bucket = testing::UniqueBucketName();
  auto owner = NewS3rverStore(bucket, S3rverServer::kSecretKey);
  ASSERT_NE(owner, nullptr);
  ASSERT_TRUE(owner->CreateBucket());
  ASSERT_TRUE(owner->Put("config", AsBytes("x")));
  const std::string secret = "wrong-secret-do-not-print";
  auto store = NewS3rverStore(bucket, secret);
  ASSERT_NE(store, nullptr);
  auto check = [&](const Error& error) {
    EXPECT_EQ(error.code(), Code::kPermissionDenied) << error.message();
    EXPECT_NE(error.message().find("S3"), std::string::npos) << error.message();
    EXPECT_EQ(error.message().find(secret), std::string::npos) << error.message();
    EXPECT_EQ(error.message().find("Signature="), std::string::npos) << error.message();
    EXPECT_EQ(error.message().find("Credential="), std::string::npos) << error.message();
  };
  auto put = store->Put("config", AsBytes("x"));
  ASSERT_FALSE(put);
  check(put.error());
  auto list = store->List("", [](const ObjectInfo&) { return OkStatus(); });
  ASSERT_FALSE(list);
  check(list.error());
  auto stat = store->Stat("config");
  ASSERT_FALSE(stat);
  check(stat.error());
}

TEST(S3StoreUrlTest, ParsesTheUrl) {
  auto options = S3Store::ParseUrl(
      "s3://bucket/some/prefix/?endpoint=http%3A%2F%2F127.0.0.1%3A9000&region=eu-west-1&storage_class=STANDARD_IA"
      "&multipart_threshold=10485760&part_size=5242880");
  ASSERT_TRUE(options) << options.error().message();
  EXPECT_EQ(options->bucket, "bucket");
  EXPECT_EQ(options->prefix, "some/prefix");
  EXPECT_EQ(options->endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(options->region, "eu-west-1");
  EXPECT_TRUE(options->path_style);  // an endpoint defaults to path style
  EXPECT_EQ(options->storage_class, "STANDARD_IA");
  EXPECT_EQ(options->multipart_threshold, 10u << 20);
  EXPECT_EQ(options->part_size, 5u << 20);
  EXPECT_EQ(options->timeout_seconds, 0);
  auto timed = S3Store::ParseUrl("s3://b?timeout=7");
  ASSERT_TRUE(timed) << timed.error().message();
  EXPECT_EQ(timed->timeout_seconds, 7);

  auto vhost = S3Store::ParseUrl("s3://b?endpoint=http://localhost:1&path_style=false&region=us-east-1");
  ASSERT_TRUE(vhost);
  EXPECT_FALSE(vhost->path_style);
  EXPECT_EQ(vhost->prefix, "");
  auto aws = S3Store::ParseUrl("s3://b/p?region=us-east-1");
  ASSERT_TRUE(aws);
  EXPECT_FALSE(aws->path_style);
  EXPECT_EQ(S3Store(*aws).Location(), "s3://b/p");
}

TEST(S3StoreErrorTest, S3CodesRefineTheHttpStatus) {
  EXPECT_EQ(S3ErrorCode(503, "SlowDown"), Code::kUnavailable);
  EXPECT_EQ(S3ErrorCode(400, "RequestTimeout"), Code::kUnavailable);
  EXPECT_EQ(S3ErrorCode(500, "InternalError"), Code::kUnavailable);
  EXPECT_EQ(S3ErrorCode(429, ""), Code::kUnavailable);
  EXPECT_EQ(S3ErrorCode(403, "SignatureDoesNotMatch"), Code::kPermissionDenied);
  EXPECT_EQ(S3ErrorCode(400, "ExpiredToken"), Code::kPermissionDenied);
  EXPECT_EQ(S3ErrorCode(404, "NoSuchKey"), Code::kNotFound);
  EXPECT_EQ(S3ErrorCode(404, "NoSuchBucket"), Code::kFailedPrecondition);
  EXPECT_EQ(S3ErrorCode(412, "PreconditionFailed"), Code::kAlreadyExists);
  EXPECT_EQ(S3ErrorCode(416, "InvalidRange"), Code::kInvalidArgument);
  // A body that does not match its signed hash: damaged on the way, sent again.
  EXPECT_EQ(S3ErrorCode(400, "XAmzContentSHA256Mismatch"), Code::kUnavailable);
  EXPECT_EQ(S3ErrorCode(400, "BadDigest"), Code::kUnavailable);
}

TEST(S3StoreUrlTest, UploadParametersAndStoreWideOnes) {
  auto defaults = S3Store::ParseUrl("s3://b");
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->part_uploads, 4);
  EXPECT_EQ(defaults->connections, 8);
  auto options = S3Store::ParseUrl("s3://b/p?part_uploads=16&connections=3&upload_limit=10MiB&download_limit=5M");
  ASSERT_TRUE(options) << options.error().message();
  EXPECT_EQ(options->part_uploads, 16);
  EXPECT_EQ(options->connections, 3);
  // connections is the limiting wrapper's to judge; a value the pool cannot use is left to it.
  auto odd = S3Store::ParseUrl("s3://b?connections=many");
  ASSERT_TRUE(odd) << odd.error().message();
  EXPECT_EQ(odd->connections, 8);
}

TEST(S3StoreUrlTest, RejectsBadUrls) {
  for (std::string_view url :
       {"s3://", "s3:///prefix", "s3://b?colour=blue", "s3://b?path_style=maybe", "s3://b?part_size=1024",
        "s3://b?multipart_threshold=lots", "s3://b/../x", "s3://b?part_uploads=0", "s3://b?part_uploads=65",
        "s3://b?part_uploads=four", "s3://b?timeout=0", "s3://b?timeout=soon", "s3://b?timeout=3601"}) {
    EXPECT_EQ(CodeOf(S3Store::ParseUrl(url)), Code::kInvalidArgument) << url;
  }
}

}  // namespace
}  // namespace arkiv::storage
