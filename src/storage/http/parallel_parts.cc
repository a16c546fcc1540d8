#include "storage/http/parallel_parts.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>

#include "core/thread_pool.h"

namespace arkiv::storage::http {

std::vector<ByteView> SplitIntoParts(ByteView data, uint64_t part_size, uint64_t max_parts) {
  part_size = std::max({part_size, uint64_t{1}, (data.size() + max_parts - 1) / std::max(max_parts, uint64_t{1})});
  std::vector<ByteView> parts;
  parts.reserve(static_cast<size_t>((data.size() + part_size - 1) / part_size));
  for (uint64_t offset = 0; offset < data.size(); offset += part_size) {
    parts.push_back(data.subspan(offset, std::min<uint64_t>(part_size, data.size() - offset)));
  }
  return parts;
}

Status UploadPartsInParallel(size_t count, size_t parallelism, const std::function<Status(size_t part)>& upload) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;
  std::optional<Error> failure;
  auto work = [&] {
    for (size_t part; !failed.load() && (part = next++) < count;) {
      Status status = upload(part);
      if (status) continue;
      std::lock_guard lock(mutex);
      if (!failure) failure = status.error();
      failed = true;
    }
  };
  size_t workers = std::min(count, std::max<size_t>(parallelism, 1));
  {
    // Helpers beside the calling thread; the pool's destructor waits for them.
    std::unique_ptr<ThreadPool> helpers;
    if (workers > 1) {
      helpers = std::make_unique<ThreadPool>(workers - 1, workers - 1);
      for (size_t i = 1; i < workers; ++i) helpers->Submit(work);
    }
    work();
  }
  if (failure) return Fail(*failure);
  return OkStatus();
}

}  // namespace arkiv::storage::http
