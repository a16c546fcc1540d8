// arkiv_store_bench: upload and download throughput of one store, through
// the same stack the CLI uses (storage::OpenStore: limits, retries, metrics).
//
//   arkiv_store_bench --url URL [--objects 64] [--size 16MiB] [--parallel N] [--prefix bench/]
//
// Makes N objects of random bytes in memory (before the clock starts), puts
// them all with `parallel` calls in flight, gets them all back the same way
// and compares them byte for byte with what was put, then removes them.
// `parallel` defaults to the store's connections (the URL's connections=,
// else 8), which is how many calls the store lets through at once anyway.
// Prints one JSON line:
//   {"upload_mib_s":…, "download_mib_s":…, "seconds_up":…, "seconds_down":…, …}
// Times are wall-clock. bench/store_bench.sh runs it against local servers
// next to rclone.
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/byte_size.h"
#include "storage/open_store.h"
#include "storage/store_url_options.h"

namespace arkiv {
namespace {

struct Options {
  std::string url;
  size_t objects = 64;
  uint64_t size = uint64_t{16} << 20;
  size_t parallel = 0;  // 0: the store's connections
  std::string prefix = "bench/";
};

constexpr const char* kUsage =
    "usage: arkiv_store_bench --url URL [--objects 64] [--size 16MiB] [--parallel N] [--prefix bench/]\n";

Result<Options> ParseArgs(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc) return Fail(Code::kInvalidArgument, fmt::format("{} needs a value", arg));
    std::string value = argv[++i];
    if (arg == "--url") {
      options.url = value;
    } else if (arg == "--objects" || arg == "--parallel") {
      size_t n = 0;
      try {
        n = std::stoul(value);
      } catch (...) {
        return Fail(Code::kInvalidArgument, fmt::format("{}: not a number: {}", arg, value));
      }
      if (n == 0) return Fail(Code::kInvalidArgument, fmt::format("{} must be at least 1", arg));
      (arg == "--objects" ? options.objects : options.parallel) = n;
    } else if (arg == "--size") {
      ASSIGN_OR_RETURN(options.size, WithContext(ParseByteSize(value), "--size"));
      if (options.size == 0) return Fail(Code::kInvalidArgument, "--size must be at least 1 byte");
    } else if (arg == "--prefix") {
      options.prefix = value;
    } else {
      return Fail(Code::kInvalidArgument, fmt::format("unknown argument {}", arg));
    }
  }
  if (options.url.empty()) return Fail(Code::kInvalidArgument, "--url is required");
  if (options.parallel == 0) {
    ASSIGN_OR_RETURN(auto split, storage::SplitStoreUrlOptions(options.url));
    options.parallel = split.options.connections.value_or(storage::kDefaultCloudConnections);
  }
  return options;
}

Bytes RandomBytes(uint64_t size, uint64_t seed) {
  Bytes out(size);
  std::mt19937_64 random(seed);
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t word = random();
    std::memcpy(out.data() + i, &word, 8);
  }
  for (; i < size; ++i) out[i] = static_cast<uint8_t>(random());
  return out;
}

// Runs task(0..count-1) on `parallel` threads; the first error wins and
// stops the others from starting new tasks. Returns the wall-clock seconds.
Result<double> RunAll(size_t count, size_t parallel, const std::function<Status(size_t)>& task) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::optional<Error> first_error;
  std::mutex mutex;
  auto start = std::chrono::steady_clock::now();
  {
    std::vector<std::jthread> threads;
    for (size_t t = 0; t < std::min(parallel, count); ++t) {
      threads.emplace_back([&] {
        for (size_t i; !failed && (i = next++) < count;) {
          Status status = task(i);
          if (status) continue;
          std::lock_guard lock(mutex);
          if (!first_error) first_error = status.error();
          failed = true;
        }
      });
    }
  }
  std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
  if (first_error) return Fail(*first_error);
  return seconds.count();
}

Status Run(const Options& options) {
  ASSIGN_OR_RETURN(auto store, storage::OpenStore(options.url));
  RETURN_IF_ERROR(store->CreateLocation());
  std::vector<std::string> names;
  std::vector<Bytes> objects;
  for (size_t i = 0; i < options.objects; ++i) {
    names.push_back(fmt::format("{}obj-{:05}", options.prefix, i));
    objects.push_back(RandomBytes(options.size, i + 1));
  }

  ASSIGN_OR_RETURN(double up, RunAll(options.objects, options.parallel, [&](size_t i) {
                     return store->Put(names[i], objects[i]);
                   }));
  ASSIGN_OR_RETURN(double down, RunAll(options.objects, options.parallel, [&](size_t i) -> Status {
                     ASSIGN_OR_RETURN(Bytes got, store->Get(names[i]));
                     if (got != objects[i]) {
                       return Fail(Code::kDataLoss, fmt::format("{}: {} came back different ({} bytes, {} put)",
                                                                store->Location(), names[i], got.size(),
                                                                objects[i].size()));
                     }
                     return OkStatus();
                   }));
  // Removal is not timed; it leaves the store as it was.
  ASSIGN_OR_RETURN(double cleanup, RunAll(options.objects, options.parallel,
                                          [&](size_t i) { return store->Remove(names[i]); }));
  (void)cleanup;

  double mib = static_cast<double>(options.size) * static_cast<double>(options.objects) / (1 << 20);
  fmt::print("{{\"upload_mib_s\": {:.1f}, \"download_mib_s\": {:.1f}, \"seconds_up\": {:.3f}, "
             "\"seconds_down\": {:.3f}, \"objects\": {}, \"object_bytes\": {}, \"parallel\": {}}}\n",
             mib / up, mib / down, up, down, options.objects, options.size, options.parallel);
  std::fflush(stdout);
  return OkStatus();
}

}  // namespace
}  // namespace arkiv

int main(int argc, char** argv) {
  auto options = arkiv::ParseArgs(argc, argv);
  if (!options) {
    std::fputs(fmt::format("arkiv_store_bench: {}\n{}", options.error().message(), arkiv::kUsage).c_str(), stderr);
    return 2;
  }
  auto status = arkiv::Run(*options);
  if (!status) {
    std::fputs(fmt::format("arkiv_store_bench: {}\n", status.error().ToString()).c_str(), stderr);
    return 1;
  }
  return 0;
}
