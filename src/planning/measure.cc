#include "planning/measure.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>

namespace arkiv::planning {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

Result<DownloadMeasurement> MeasureDownload(storage::Store& store, const std::vector<std::string>& objects,
                                            std::string_view probe) {
  if (objects.empty()) {
    return Fail(Code::kFailedPrecondition, fmt::format("{}: no pack to read for a measurement", store.Location()));
  }
  DownloadMeasurement m;
  m.latency = 1e9;
  for (int i = 0; i < 3; ++i) {
    auto start = Clock::now();
    auto info = store.Stat(probe);
    if (!info) return Fail(info.error().Context(fmt::format("{}: measuring latency", store.Location())));
    m.latency = std::min(m.latency, SecondsSince(start));
  }
  std::vector<std::optional<Result<Bytes>>> got(objects.size());
  auto start = Clock::now();
  {
    std::vector<std::jthread> readers;
    for (size_t i = 0; i < objects.size(); ++i) {
      readers.emplace_back([&, i] { got[i] = store.Get(objects[i]); });
    }
  }
  double elapsed = SecondsSince(start);
  for (size_t i = 0; i < objects.size(); ++i) {
    if (!*got[i]) {
      return Fail(got[i]->error().Context(fmt::format("{}: measuring with {}", store.Location(), objects[i])));
    }
    m.bytes += static_cast<double>((*got[i])->size());
  }
  // A local disk may answer faster than the clock resolves: keep the rate finite.
  m.rate = m.bytes / std::max(elapsed - m.latency, 1e-6);
  return m;
}

}  // namespace arkiv::planning
