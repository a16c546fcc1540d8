// Uploading one large object as parts (S3 multipart) or blocks (Azure Put
// Block) several at a time.
//
// Parts are views into the caller's buffer, never copies: a 1 GiB object
// costs no second GiB. Each call has its own small worker set, so the parts
// of concurrent Puts do not queue behind one another; `parallelism` bounds
// the requests of one object, while the store's own limit (a wrapper) bounds
// how many objects are in flight.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"

namespace arkiv::storage::http {

// `data` cut into consecutive slices of `part_size` bytes, the last one
// shorter; `part_size` is raised where needed to make at most `max_parts`.
// Empty `data` gives no part. REQUIRES: part_size > 0, max_parts > 0.
std::vector<ByteView> SplitIntoParts(ByteView data, uint64_t part_size, uint64_t max_parts);

// Calls upload(i) for each i in [0, count), at most `parallelism` (>= 1) at
// once; the calling thread is one of the workers. Once a call fails no
// further part starts; the result is the first failure, returned after the
// parts already started have ended. OkStatus when every part succeeded.
// `upload` must be safe to call from several threads at once.
Status UploadPartsInParallel(size_t count, size_t parallelism, const std::function<Status(size_t part)>& upload);

}  // namespace arkiv::storage::http
