#include "sim/memory/dram/dram_request.hpp"

#include <algorithm>

namespace saffire::memory::dram {

void DramStats::merge(const DramStats& o) {
  if (o.requests() == 0) {
    refreshes += o.refreshes;
    return;
  }
  first_arrival = requests() == 0 ? o.first_arrival : std::min(first_arrival, o.first_arrival);
  last_completion = requests() == 0 ? o.last_completion : std::max(last_completion, o.last_completion);
  reads += o.reads;
  writes += o.writes;
  bytes_read += o.bytes_read;
  bytes_written += o.bytes_written;
  row_hits += o.row_hits;
  row_misses += o.row_misses;
  row_conflicts += o.row_conflicts;
  refreshes += o.refreshes;
  latency_sum += o.latency_sum;
}

}  // namespace saffire::memory::dram
