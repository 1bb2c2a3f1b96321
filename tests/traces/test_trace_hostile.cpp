// Hostile trace files: corrupt files on which libhdf5 itself crashes or loops, files declaring more
// rows than they can hold, and columns of the wrong type all end in a TraceError naming the file.
#include <H5Cpp.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

#include "tests/traces/sample_records.hpp"
#include "tests/traces/scratch_dir.hpp"
#include "traces/isolated_read.hpp"
#include "traces/schema.hpp"
#include "traces/trace_reader.hpp"
#include "traces/trace_writer.hpp"

using namespace saffire::traces;
using saffire::traces::test::sample_gemms;
using saffire::traces::test::sample_run_info;
using saffire::traces::test::scratch_path;

namespace {

// Sets SAFFIRE_TRACE_READ_TIMEOUT for the lifetime of the object.
class ReadTimeout {
 public:
  explicit ReadTimeout(const char* seconds) { setenv("SAFFIRE_TRACE_READ_TIMEOUT", seconds, 1); }
  ~ReadTimeout() { unsetenv("SAFFIRE_TRACE_READ_TIMEOUT"); }
  ReadTimeout(const ReadTimeout&) = delete;
  ReadTimeout& operator=(const ReadTimeout&) = delete;
};

// Opens `path` and reads every table.
void read_everything(const std::filesystem::path& path) {
  const TraceReader r(path);
  (void)r.gemms();
  (void)r.faults();
  (void)r.decisions();
  (void)r.points();
  (void)r.memory();
}

std::filesystem::path trace_with_gemms(const std::string& name) {
  const auto path = scratch_path(name);
  TraceWriter writer(path, sample_run_info());
  for (const GemmRecord& g : sample_gemms(3)) writer.append_gemm(g);
  return path;
}

}  // namespace

TEST_CASE("run_isolated reports a crash, a hang and an error of the child read, naming the file", "[unit][traces]") {
  const std::filesystem::path file = "some/trace.h5";
  CHECK_NOTHROW(detail::run_isolated(file, [] {}));
  CHECK_THROWS_WITH(detail::run_isolated(file, [] { std::raise(SIGSEGV); }),
                    Catch::Contains("trace file 'some/trace.h5'") &&
                        Catch::Contains("unreadable (the HDF5 library crashed reading it"));
  CHECK_THROWS_WITH(detail::run_isolated(file, [] { std::abort(); }), Catch::Contains("crashed reading it"));
  CHECK_THROWS_WITH(detail::run_isolated(file, [] { throw TraceError("trace file 'x': own reason"); }),
                    Catch::Equals("trace file 'x': own reason"));
  {
    const ReadTimeout timeout("1");
    CHECK_THROWS_WITH(detail::run_isolated(file,
                                           [] {
                                             for (;;) pause();
                                           }),
                      Catch::Contains("trace file 'some/trace.h5'") &&
                          Catch::Contains("unreadable (the HDF5 library hung reading it"));
  }
  CHECK(detail::isolated_read_timeout("does-not-exist.h5") == 5.0);
}

TEST_CASE("A table declaring more rows than the file can hold is rejected before allocating them", "[unit][traces]") {
  const auto path = trace_with_gemms("hugerows.h5");
  {
    H5::H5File file(path.string(), H5F_ACC_RDWR);
    H5::DataSet gemms = file.openDataSet(kGemmsDataset);
    const hsize_t rows = 40'000'000;
    gemms.extend(&rows);  // no chunk is written: the file stays small
  }
  REQUIRE(std::filesystem::file_size(path) < 100'000);
  const TraceReader r(path);
  CHECK_THROWS_WITH(r.gemms(), Catch::Contains(path.string()) && Catch::Contains("dataset '/gemms' declares 40000000") &&
                                   Catch::Contains("more than the file"));
  CHECK(r.faults().empty());  // the other tables stay readable
}

TEST_CASE("A column of the wrong type is rejected before HDF5 converts it", "[unit][traces]") {
  const auto path = trace_with_gemms("wrong-column-type.h5");
  {
    // Replace /gemms by a table of the same columns, but with column "m" a variable-length string.
    H5::H5File file(path.string(), H5F_ACC_RDWR);
    const H5::CompType stored = file.openDataSet(kGemmsDataset).getCompType();
    const H5::StrType text(H5::PredType::C_S1, H5T_VARIABLE);
    std::size_t size = 0;
    for (int i = 0; i < stored.getNmembers(); ++i)
      size += stored.getMemberName(i) == "m" ? text.getSize() : stored.getMemberDataType(i).getSize();
    H5::CompType changed(size);
    std::size_t offset = 0;
    for (int i = 0; i < stored.getNmembers(); ++i) {
      const std::string name = stored.getMemberName(i);
      const H5::DataType t = name == "m" ? H5::DataType(text) : stored.getMemberDataType(i);
      changed.insertMember(name, offset, t);
      offset += t.getSize();
    }
    file.unlink(kGemmsDataset);
    const hsize_t rows = 0;
    file.createDataSet(kGemmsDataset, changed, H5::DataSpace(1, &rows));
  }
  CHECK_THROWS_WITH(TraceReader(path).gemms(),
                    Catch::Contains(path.string()) && Catch::Contains("column 'm' of dataset '/gemms' is not an integer"));
}

TEST_CASE("The fuzz reproducers of hostile traces end in a TraceError naming the file", "[unit][traces]") {
  const std::filesystem::path dir = std::filesystem::path(SAFFIRE_SOURCE_DIR) / ".." / "shared" / "fuzz";
  if (!std::filesystem::is_directory(dir)) {
    WARN("SKIPPED: fuzz reproducers not found at " << dir.string());
    return;
  }
  const ReadTimeout timeout("2");  // the hangs: killed after 2 s instead of 5 s
  for (const char* name : {"h5_segv_H5HG_read_dataset.h5", "h5_segv_H5HG_read_attr.h5", "h5_segv_conv_struct.h5",
                           "h5_segv_strlen_attr.h5", "h5_hang_1.h5", "h5_hang_2.h5", "hugerows.h5"}) {
    const std::filesystem::path path = dir / name;
    INFO(path.string());
    REQUIRE(std::filesystem::is_regular_file(path));
    std::string message = "(no TraceError)";
    try {
      read_everything(path);
    } catch (const TraceError& e) {
      message = e.what();
    }
    CHECK_THAT(message, Catch::Contains("trace file '" + path.string() + "'"));
  }
}
