// libFuzzer target: an HDF5 trace opened with TraceReader (which first reads it in a forked child, so a crash
// inside libhdf5 is a TraceError) and every table read, as `saffire trace summary|export-csv` read it.
#include "fuzz/fuzz_input.hpp"
#include "traces/trace_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  saffire::fuzz::set_limits();
  const auto path = saffire::fuzz::as_file(data, size, "trace.h5");
  saffire::fuzz::expect_clean([&] {
    const saffire::traces::TraceReader reader(path);
    (void)reader.run_info();
    (void)reader.gemms();
    (void)reader.faults();
    (void)reader.decisions();
    (void)reader.points();
    (void)reader.memory();
  });
  return 0;
}
