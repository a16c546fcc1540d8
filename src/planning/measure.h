// Measuring a cloud's download rate and latency from this machine, for
// `arkiv plan --measure`: read-only, a few GETs of objects it already holds.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "storage/store.h"

namespace arkiv::planning {

struct DownloadMeasurement {
  double rate = 0;     // bytes per second, all reads together
  double latency = 0;  // seconds, the quickest of three Stat calls
  double bytes = 0;    // read to measure
};

// Stats `probe` three times for the latency, then reads every one of
// `objects` whole, all at once, and divides the bytes by the time they took
// less one latency. Reading several objects at once measures the rate of
// several connections, as a restore uses them. kFailedPrecondition when
// `objects` is empty; a read's error, naming the store and the object.
Result<DownloadMeasurement> MeasureDownload(storage::Store& store, const std::vector<std::string>& objects,
                                            std::string_view probe);

}  // namespace arkiv::planning
