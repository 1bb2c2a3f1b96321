#pragma once
// SpanTracker: the first and last cycle an interface serves (a DETAILED_ACCESS_REPORT span).
#include <cstdint>
#include <optional>

#include "sim/memory/memory_model.hpp"

namespace saffire::memory {

struct SpanTracker {
  std::optional<CycleSpan> span;
  void add(std::int64_t cycle) {
    if (!span) span = CycleSpan{cycle, cycle};
    span->stop = cycle;
  }
  CycleSpan get() const { return span.value_or(CycleSpan{}); }
};

}  // namespace saffire::memory
