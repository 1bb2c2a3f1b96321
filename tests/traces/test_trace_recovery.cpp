// Traces stay readable when the writing process dies without closing the file, because
// TraceWriter flushes after every row.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "tests/traces/sample_records.hpp"
#include "tests/traces/scratch_dir.hpp"
#include "traces/trace_reader.hpp"
#include "traces/trace_writer.hpp"

using namespace saffire::traces;
using saffire::traces::test::sample_gemms;
using saffire::traces::test::sample_run_info;
using saffire::traces::test::scratch_path;

TEST_CASE("A trace whose writer process was killed keeps every appended row", "[unit][traces]") {
  const auto path = scratch_path("killed.h5");
  const auto rows = sample_gemms(70);  // more than one chunk
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // Child: append, then die without closing anything (no destructors, no atexit, no HDF5 close).
    try {
      TraceWriter writer(path, sample_run_info());
      for (const GemmRecord& r : rows) {
        writer.append_gemm(r);
      }
      _exit(0);
    } catch (...) {
      _exit(1);
    }
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  const TraceReader reader(path);
  CHECK(reader.run_info() == sample_run_info());
  CHECK(reader.gemms() == rows);
}

TEST_CASE("A second handle sees the rows of a writer that is still open", "[unit][traces]") {
  const auto path = scratch_path("open.h5");
  const auto rows = sample_gemms(5);
  TraceWriter writer(path, sample_run_info());
  writer.append_gemm(rows[0]);
  writer.append_gemm(rows[1]);
  {
    const TraceReader reader(path);
    CHECK(reader.gemms() == std::vector<GemmRecord>(rows.begin(), rows.begin() + 2));
  }
  for (std::size_t i = 2; i < rows.size(); ++i) {
    writer.append_gemm(rows[i]);
  }
  writer.close();
  CHECK(TraceReader(path).gemms() == rows);
}
