// TraceReader rejects what it cannot read with a TraceError that names the file.
#include <H5Cpp.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "tests/traces/sample_records.hpp"
#include "tests/traces/scratch_dir.hpp"
#include "traces/schema.hpp"
#include "traces/trace_reader.hpp"
#include "traces/trace_writer.hpp"

using namespace saffire::traces;
using saffire::traces::test::sample_decisions;
using saffire::traces::test::sample_faults;
using saffire::traces::test::sample_gemms;
using saffire::traces::test::sample_memory;
using saffire::traces::test::sample_points;
using saffire::traces::test::sample_run_info;
using saffire::traces::test::sample_run_info_with_command;
using saffire::traces::test::scratch_path;

namespace {

// Writes a valid trace, then lets `edit` change its root group with raw HDF5 calls.
template <typename Edit>
std::filesystem::path tampered_trace(const std::string& name, Edit edit) {
  const auto path = scratch_path(name);
  {
    TraceWriter writer(path, sample_run_info());
    writer.append_gemm(sample_gemms(1)[0]);
  }
  H5::H5File file(path.string(), H5F_ACC_RDWR);
  H5::Group root = file.openGroup("/");
  edit(file, root);
  return path;
}

void replace_int_attr(H5::Group& root, const char* name, std::int32_t value) {
  root.removeAttr(name);
  root.createAttribute(name, H5::PredType::STD_I32LE, H5::DataSpace(H5S_SCALAR))
      .write(H5::PredType::NATIVE_INT32, &value);
}

void replace_string_attr(H5::Group& root, const char* name, const std::string& value) {
  root.removeAttr(name);
  const H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  root.createAttribute(name, type, H5::DataSpace(H5S_SCALAR)).write(type, value);
}

// Checks that opening `path` throws TraceError whose message names the file and contains `reason`.
void check_rejected(const std::filesystem::path& path, const std::string& reason) {
  CHECK_THROWS_AS(TraceReader(path), TraceError);
  CHECK_THROWS_WITH(TraceReader(path), Catch::Contains(path.string()) && Catch::Contains(reason));
}

}  // namespace

TEST_CASE("Missing file", "[unit][traces]") { check_rejected(scratch_path("does-not-exist.h5"), "no such file"); }

TEST_CASE("A directory is not a trace", "[unit][traces]") {
  const auto dir = scratch_path("a-directory.h5");
  std::filesystem::create_directories(dir);
  check_rejected(dir, "not a regular file");
}

TEST_CASE("A text file is not HDF5", "[unit][traces]") {
  const auto path = scratch_path("not-hdf5.h5");
  std::ofstream(path) << "m,n,k\n1,2,3\n";
  check_rejected(path, "not an HDF5 file");
}

TEST_CASE("An empty file is not HDF5", "[unit][traces]") {
  const auto path = scratch_path("empty-file.h5");
  std::ofstream{path};
  check_rejected(path, "not an HDF5 file");
}

TEST_CASE("A truncated trace gets HDF5's reason", "[unit][traces]") {
  const auto path = scratch_path("truncated.h5");
  {
    TraceWriter writer(path, sample_run_info());
    for (const GemmRecord& r : sample_gemms(20)) {
      writer.append_gemm(r);
    }
  }
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);  // e.g. a full disk or a cut copy
  check_rejected(path, "truncated file");
}

TEST_CASE("An HDF5 file without the schema attribute", "[unit][traces]") {
  const auto path = scratch_path("plain.h5");
  H5::H5File(path.string(), H5F_ACC_TRUNC).close();
  check_rejected(path, "not a saffire trace");
}

TEST_CASE("A wrong schema name", "[unit][traces]") {
  const auto path = tampered_trace(
      "wrong-schema.h5", [](H5::H5File&, H5::Group& root) { replace_string_attr(root, kAttrSchema, "other-trace"); });
  check_rejected(path, "'other-trace'");
}

TEST_CASE("A schema attribute of the wrong type", "[unit][traces]") {
  const auto path =
      tampered_trace("schema-int.h5", [](H5::H5File&, H5::Group& root) { replace_int_attr(root, kAttrSchema, 1); });
  check_rejected(path, "not a scalar string");
}

TEST_CASE("A schema_version newer than the reader", "[unit][traces]") {
  const auto path = tampered_trace("future.h5", [](H5::H5File&, H5::Group& root) {
    replace_int_attr(root, kAttrSchemaVersion, kSchemaVersion + 1);
  });
  check_rejected(path, "schema_version " + std::to_string(kSchemaVersion + 1) + " is newer");
}

TEST_CASE("A schema_version below 1", "[unit][traces]") {
  const auto path = tampered_trace("version0.h5",
                                   [](H5::H5File&, H5::Group& root) { replace_int_attr(root, kAttrSchemaVersion, 0); });
  check_rejected(path, "invalid schema_version 0");
}

TEST_CASE("A missing run-info attribute", "[unit][traces]") {
  const auto path = tampered_trace("no-seed.h5", [](H5::H5File&, H5::Group& root) { root.removeAttr(kAttrSeed); });
  check_rejected(path, "missing root attribute 'seed'");
}

TEST_CASE("A missing /gemms dataset or column is reported by gemms()", "[unit][traces]") {
  const auto no_table = tampered_trace("no-gemms.h5", [](H5::H5File& file, H5::Group&) { file.unlink(kGemmsDataset); });
  CHECK_THROWS_WITH(TraceReader(no_table).gemms(),
                    Catch::Contains(no_table.string()) && Catch::Contains("missing dataset '/gemms'"));

  // A /gemms table lacking the "cycles" column: must be an error, not silently zero.
  const auto no_column = tampered_trace("no-cycles.h5", [](H5::H5File& file, H5::Group&) {
    file.unlink(kGemmsDataset);
    H5::CompType type(sizeof(std::int64_t));
    type.insertMember(kColM, 0, H5::PredType::STD_I64LE);
    const hsize_t n = 1;
    file.createDataSet(kGemmsDataset, type, H5::DataSpace(1, &n));
  });
  CHECK_THROWS_WITH(TraceReader(no_column).gemms(),
                    Catch::Contains(no_column.string()) && Catch::Contains("no column 'name'"));
}

TEST_CASE("Columns added by a newer writer are ignored by this reader", "[unit][traces]") {
  // Same version number is used here only to get past the version check: the point is that HDF5
  // matches compound members by name, so extra columns do not disturb the known ones.
  const auto rows = sample_gemms(3);
  const auto path = scratch_path("extra-column.h5");
  { TraceWriter writer(path, sample_run_info()); }
  {
    H5::H5File file(path.string(), H5F_ACC_RDWR);
    file.unlink(kGemmsDataset);
    // File type: an extra float column "energy_pj" in front of the schema's own columns.
    struct Row {
      double energy_pj;
      const char* name;
      std::int64_t m, n, k;
      const char* dataflow;
      std::int32_t rows, cols;
      std::int64_t cycles, macs;
      double utilization, mapping_efficiency;
      const char* fidelity;
      double host_seconds;
    };
    const H5::StrType str(H5::PredType::C_S1, H5T_VARIABLE);
    H5::CompType type(sizeof(Row));
    type.insertMember("energy_pj", HOFFSET(Row, energy_pj), H5::PredType::NATIVE_DOUBLE);
    type.insertMember(kColName, HOFFSET(Row, name), str);
    type.insertMember(kColM, HOFFSET(Row, m), H5::PredType::NATIVE_INT64);
    type.insertMember(kColN, HOFFSET(Row, n), H5::PredType::NATIVE_INT64);
    type.insertMember(kColK, HOFFSET(Row, k), H5::PredType::NATIVE_INT64);
    type.insertMember(kColDataflow, HOFFSET(Row, dataflow), str);
    type.insertMember(kColRows, HOFFSET(Row, rows), H5::PredType::NATIVE_INT32);
    type.insertMember(kColCols, HOFFSET(Row, cols), H5::PredType::NATIVE_INT32);
    type.insertMember(kColCycles, HOFFSET(Row, cycles), H5::PredType::NATIVE_INT64);
    type.insertMember(kColMacs, HOFFSET(Row, macs), H5::PredType::NATIVE_INT64);
    type.insertMember(kColUtilization, HOFFSET(Row, utilization), H5::PredType::NATIVE_DOUBLE);
    type.insertMember(kColMappingEfficiency, HOFFSET(Row, mapping_efficiency), H5::PredType::NATIVE_DOUBLE);
    type.insertMember(kColFidelity, HOFFSET(Row, fidelity), str);
    type.insertMember(kColHostSeconds, HOFFSET(Row, host_seconds), H5::PredType::NATIVE_DOUBLE);
    std::vector<Row> data;
    for (const GemmRecord& r : rows) {
      data.push_back(Row{1.5, r.name.c_str(), r.m, r.n, r.k, r.dataflow.c_str(), r.rows, r.cols, r.cycles, r.macs,
                         r.utilization, r.mapping_efficiency, r.fidelity.c_str(), r.host_seconds});
    }
    const hsize_t n = data.size();
    file.createDataSet(kGemmsDataset, type, H5::DataSpace(1, &n)).write(data.data(), type);
  }
  CHECK(TraceReader(path).gemms() == rows);
}

TEST_CASE("A version-1 file (no /faults table) still reads, with no faults", "[unit][traces]") {
  // The version-1 layout: the same root attributes and /gemms, schema_version 1, no /faults, /abft, /points.
  const auto path = tampered_trace("version1.h5", [](H5::H5File& file, H5::Group& root) {
    replace_int_attr(root, kAttrSchemaVersion, 1);
    file.unlink(kFaultsDataset);
    file.unlink(kDecisionsDataset);
    file.unlink(kPointsDataset);
  });
  const TraceReader reader(path);
  CHECK(reader.schema_version() == 1);
  CHECK(reader.run_info() == sample_run_info());
  CHECK(reader.gemms() == sample_gemms(1));
  CHECK(reader.faults().empty());
  CHECK(reader.decisions().empty());
  CHECK(reader.points().empty());
}

TEST_CASE("A version-2 file (no /abft table) still reads, with its faults and no decisions", "[unit][traces]") {
  // The version-2 layout: root attributes, /gemms and /faults, schema_version 2, no /abft, no /points.
  const auto path = scratch_path("version2.h5");
  const auto gemms = sample_gemms(2);
  const auto faults = sample_faults(5);
  {
    TraceWriter writer(path, sample_run_info());
    writer.append_gemm(gemms[0]);
    writer.append_gemm(gemms[1]);
    writer.append_faults(faults);
  }
  {
    H5::H5File file(path.string(), H5F_ACC_RDWR);
    H5::Group root = file.openGroup("/");
    replace_int_attr(root, kAttrSchemaVersion, 2);
    file.unlink(kDecisionsDataset);
    file.unlink(kPointsDataset);
  }
  const TraceReader reader(path);
  CHECK(reader.schema_version() == 2);
  CHECK(reader.run_info() == sample_run_info());
  CHECK(reader.gemms() == gemms);
  CHECK(reader.faults() == faults);
  CHECK(reader.decisions().empty());
  CHECK(reader.points().empty());
}

TEST_CASE("A version-2 file with an /abft table: decisions() still reads none", "[unit][traces]") {
  // A version-N reader reads the additions of version 3 only from files whose schema_version >= 3.
  const auto path = scratch_path("version2-with-abft.h5");
  {
    TraceWriter writer(path, sample_run_info());
    writer.append_decisions(sample_decisions(3));
  }
  {
    H5::H5File file(path.string(), H5F_ACC_RDWR);
    H5::Group root = file.openGroup("/");
    replace_int_attr(root, kAttrSchemaVersion, 2);
  }
  CHECK(TraceReader(path).decisions().empty());
}

TEST_CASE("A file of version >= 2 without /faults, or with a column missing, is reported by faults()",
          "[unit][traces]") {
  const auto no_table =
      tampered_trace("no-faults-v2.h5", [](H5::H5File& file, H5::Group&) { file.unlink(kFaultsDataset); });
  CHECK_THROWS_WITH(TraceReader(no_table).faults(),
                    Catch::Contains(no_table.string()) && Catch::Contains("missing dataset '/faults'"));

  const auto no_column = tampered_trace("no-delta.h5", [](H5::H5File& file, H5::Group&) {
    file.unlink(kFaultsDataset);
    H5::CompType type(sizeof(std::int64_t));
    type.insertMember(kFaultColM, 0, H5::PredType::STD_I64LE);
    const hsize_t n = 1;
    file.createDataSet(kFaultsDataset, type, H5::DataSpace(1, &n));
  });
  CHECK_THROWS_WITH(TraceReader(no_column).faults(),
                    Catch::Contains(no_column.string()) && Catch::Contains("no column 'gemm'"));
  CHECK(TraceReader(no_column).gemms() == sample_gemms(1));  // the other table is unaffected
}

TEST_CASE("A version-3 file without /abft, or with a column missing, is reported by decisions()", "[unit][traces]") {
  const auto no_table =
      tampered_trace("no-abft-v3.h5", [](H5::H5File& file, H5::Group&) { file.unlink(kDecisionsDataset); });
  CHECK_THROWS_WITH(TraceReader(no_table).decisions(),
                    Catch::Contains(no_table.string()) && Catch::Contains("missing dataset '/abft'"));
  CHECK(TraceReader(no_table).faults().empty());  // the other tables are unaffected

  // An /abft table lacking every column but "msd": must be an error, not silently zero.
  const auto no_column = tampered_trace("no-action.h5", [](H5::H5File& file, H5::Group&) {
    file.unlink(kDecisionsDataset);
    H5::CompType type(sizeof(double));
    type.insertMember(kDecisionColMsd, 0, H5::PredType::IEEE_F64LE);
    const hsize_t n = 1;
    file.createDataSet(kDecisionsDataset, type, H5::DataSpace(1, &n));
  });
  CHECK_THROWS_WITH(TraceReader(no_column).decisions(),
                    Catch::Contains(no_column.string()) && Catch::Contains("no column 'gemm'"));
  CHECK(TraceReader(no_column).gemms() == sample_gemms(1));
}

namespace {

// The version-3 layout: root attributes, /gemms, /faults and /abft, schema_version 3, no /points.
std::filesystem::path version3_trace(const std::string& name) {
  const auto path = scratch_path(name);
  {
    TraceWriter writer(path, sample_run_info());
    writer.append_gemm(sample_gemms(1)[0]);
    writer.append_faults(sample_faults(4));
    writer.append_decisions(sample_decisions(6));
    writer.append_points(sample_points(2));  // then deleted: a version-3 writer had no such table
  }
  H5::H5File file(path.string(), H5F_ACC_RDWR);
  H5::Group root = file.openGroup("/");
  replace_int_attr(root, kAttrSchemaVersion, 3);
  file.unlink(kPointsDataset);
  return path;
}

// Checks that TraceWriter::append(path) throws TraceError whose message names the file and has `reason`.
void check_append_rejected(const std::filesystem::path& path, const std::string& reason) {
  CHECK_THROWS_AS(TraceWriter::append(path), TraceError);
  CHECK_THROWS_WITH(TraceWriter::append(path), Catch::Contains(path.string()) && Catch::Contains(reason));
}

}  // namespace

TEST_CASE("A version-3 file (no /points table) still reads, with its decisions and no points", "[unit][traces]") {
  const auto path = version3_trace("version3.h5");
  const TraceReader reader(path);
  CHECK(reader.schema_version() == 3);
  CHECK(reader.run_info() == sample_run_info());
  CHECK(reader.gemms() == sample_gemms(1));
  CHECK(reader.faults() == sample_faults(4));
  CHECK(reader.decisions() == sample_decisions(6));
  CHECK(reader.points().empty());
}

TEST_CASE("A version-3 file with a /points table: points() still reads none", "[unit][traces]") {
  // A reader reads the additions of version 4 only from files whose schema_version >= 4.
  const auto path = scratch_path("version3-with-points.h5");
  {
    TraceWriter writer(path, sample_run_info());
    writer.append_points(sample_points(3));
  }
  {
    H5::H5File file(path.string(), H5F_ACC_RDWR);
    H5::Group root = file.openGroup("/");
    replace_int_attr(root, kAttrSchemaVersion, 3);
  }
  CHECK(TraceReader(path).points().empty());
}

TEST_CASE("A version-4 file without /points, or with a column missing, is reported by points()", "[unit][traces]") {
  const auto no_table =
      tampered_trace("no-points-v4.h5", [](H5::H5File& file, H5::Group&) { file.unlink(kPointsDataset); });
  CHECK_THROWS_WITH(TraceReader(no_table).points(),
                    Catch::Contains(no_table.string()) && Catch::Contains("missing dataset '/points'"));
  CHECK(TraceReader(no_table).decisions().empty());  // the other tables are unaffected

  // A /points table with only "seconds": must be an error, not silently empty strings.
  const auto no_column = tampered_trace("no-key.h5", [](H5::H5File& file, H5::Group&) {
    file.unlink(kPointsDataset);
    H5::CompType type(sizeof(double));
    type.insertMember(kPointColSeconds, 0, H5::PredType::IEEE_F64LE);
    const hsize_t n = 1;
    file.createDataSet(kPointsDataset, type, H5::DataSpace(1, &n));
  });
  CHECK_THROWS_WITH(TraceReader(no_column).points(),
                    Catch::Contains(no_column.string()) && Catch::Contains("no column 'key'"));
  CHECK(TraceReader(no_column).gemms() == sample_gemms(1));
}

TEST_CASE("append() rejects a file of an older schema version, naming the file and the versions", "[unit][traces]") {
  const auto path = version3_trace("append-v3.h5");
  check_append_rejected(path, "schema_version 3");
  check_append_rejected(path, "appending needs the current schema_version " + std::to_string(kSchemaVersion));
  // The rejected file is left as it was.
  const TraceReader reader(path);
  CHECK(reader.schema_version() == 3);
  CHECK(reader.decisions() == sample_decisions(6));

  // A version-3 file that still has every table is rejected too: the version, not the tables, decides.
  const auto full = tampered_trace("append-v3-full.h5",
                                   [](H5::H5File&, H5::Group& root) { replace_int_attr(root, kAttrSchemaVersion, 3); });
  check_append_rejected(full, "schema_version 3");
  const auto future = tampered_trace("append-future.h5", [](H5::H5File&, H5::Group& root) {
    replace_int_attr(root, kAttrSchemaVersion, kSchemaVersion + 1);
  });
  check_append_rejected(future, "schema_version " + std::to_string(kSchemaVersion + 1));
}

TEST_CASE("append() rejects a missing file, a non-HDF5 file and an HDF5 file that is not a trace", "[unit][traces]") {
  const auto missing = scratch_path("append-missing.h5");
  check_append_rejected(missing, "no such file");
  CHECK_FALSE(std::filesystem::exists(missing));  // append() never creates a file

  const auto text = scratch_path("append-text.h5");
  std::ofstream(text) << "key,status\n";
  check_append_rejected(text, "not an HDF5 file");

  const auto plain = scratch_path("append-plain.h5");
  H5::H5File(plain.string(), H5F_ACC_TRUNC).close();
  check_append_rejected(plain, "not a saffire trace");

  const auto other = tampered_trace(
      "append-other.h5", [](H5::H5File&, H5::Group& root) { replace_string_attr(root, kAttrSchema, "other-trace"); });
  check_append_rejected(other, "not a saffire trace");

  const auto dir = scratch_path("append-dir.h5");
  std::filesystem::create_directories(dir);
  check_append_rejected(dir, "not a regular file");
}

TEST_CASE("append() rejects a current-version trace that lacks a table or a column", "[unit][traces]") {
  for (const char* table : {kGemmsDataset, kFaultsDataset, kDecisionsDataset, kPointsDataset, kMemoryDataset}) {
    const auto path = tampered_trace(std::string("append-no") + (table + 1) + ".h5",
                                     [table](H5::H5File& file, H5::Group&) { file.unlink(table); });
    check_append_rejected(path, std::string("missing dataset '") + table + "'");
  }
  const auto no_column = tampered_trace("append-no-key.h5", [](H5::H5File& file, H5::Group&) {
    file.unlink(kPointsDataset);
    H5::CompType type(sizeof(double));
    type.insertMember(kPointColSeconds, 0, H5::PredType::IEEE_F64LE);
    const hsize_t initial = 0, unlimited = H5S_UNLIMITED, chunk = 8;
    H5::DSetCreatPropList props;
    props.setChunk(1, &chunk);
    file.createDataSet(kPointsDataset, type, H5::DataSpace(1, &initial, &unlimited), props);
  });
  check_append_rejected(no_column, "no column 'key'");
  // A fixed-size (not chunked) table cannot grow.
  const auto fixed = tampered_trace("append-fixed.h5", [](H5::H5File& file, H5::Group&) {
    const H5::CompType type = file.openDataSet(kPointsDataset).getCompType();
    file.unlink(kPointsDataset);
    const hsize_t n = 0;
    file.createDataSet(kPointsDataset, type, H5::DataSpace(1, &n));
  });
  check_append_rejected(fixed, "dataset '/points' is not extensible");
  CHECK(TraceReader(fixed).points().empty());  // still readable
}

// Writes a trace with sample_run_info_with_command(), then lets `edit` change the file.
template <typename Edit>
std::filesystem::path tampered_command_trace(const std::string& name, Edit edit) {
  const auto path = scratch_path(name);
  {
    TraceWriter writer(path, sample_run_info_with_command());
    writer.append_points(sample_points(2));
  }
  H5::H5File file(path.string(), H5F_ACC_RDWR);
  H5::Group root = file.openGroup("/");
  edit(file, root);
  return path;
}

TEST_CASE("A version-4 file (no command record) still reads, with no command line and no inputs", "[unit][traces]") {
  const auto path = tampered_command_trace("version4.h5", [](H5::H5File& file, H5::Group& root) {
    replace_int_attr(root, kAttrSchemaVersion, 4);
    file.unlink(kCommandLineDataset);
    file.unlink(kInputsGroup);
  });
  const TraceReader reader(path);
  CHECK(reader.schema_version() == 4);
  CHECK(reader.run_info() == sample_run_info());  // the root attributes, and an empty command record
  CHECK(reader.points() == sample_points(2));

  // A version-4 reader did not know the objects: a version-4 file that has them is read without them.
  const auto with = tampered_command_trace("version4-with-command.h5", [](H5::H5File&, H5::Group& root) {
    replace_int_attr(root, kAttrSchemaVersion, 4);
  });
  CHECK(TraceReader(with).run_info() == sample_run_info());
}

namespace {

// The version-5 layout as a version-5 writer left it: every table but /memory, schema_version 5.
std::filesystem::path version5_trace(const std::string& name) {
  return tampered_command_trace(name, [](H5::H5File& file, H5::Group& root) {
    replace_int_attr(root, kAttrSchemaVersion, 5);
    file.unlink(kMemoryDataset);
  });
}

}  // namespace

TEST_CASE("A version-5 file (no /memory table) still reads, with its command record and no memory rows",
          "[unit][traces]") {
  const auto path = version5_trace("version5.h5");
  check_append_rejected(path, "schema_version 5");  // appending needs the current version
  const TraceReader reader(path);
  CHECK(reader.schema_version() == 5);
  CHECK(reader.run_info() == sample_run_info_with_command());
  CHECK(reader.points() == sample_points(2));
  CHECK(reader.memory().empty());

  // A version-5 reader did not know /memory: a version-5 file that has one is read without it.
  const auto with = scratch_path("version5-with-memory.h5");
  {
    TraceWriter writer(with, sample_run_info());
    writer.append_memory(sample_memory(3));
  }
  {
    H5::H5File file(with.string(), H5F_ACC_RDWR);
    H5::Group root = file.openGroup("/");
    replace_int_attr(root, kAttrSchemaVersion, 5);
  }
  CHECK(TraceReader(with).memory().empty());
}

TEST_CASE("A version-6 file without /memory, or with a column missing, is reported by memory()", "[unit][traces]") {
  const auto no_table =
      tampered_trace("no-memory-v6.h5", [](H5::H5File& file, H5::Group&) { file.unlink(kMemoryDataset); });
  CHECK_THROWS_WITH(TraceReader(no_table).memory(),
                    Catch::Contains(no_table.string()) && Catch::Contains("missing dataset '/memory'"));
  CHECK(TraceReader(no_table).gemms() == sample_gemms(1));  // the other tables are unaffected
  check_append_rejected(no_table, "missing dataset '/memory'");

  // A /memory table with only "stall_cycles": an error, not silently zero cycles.
  const auto no_column = tampered_trace("no-model.h5", [](H5::H5File& file, H5::Group&) {
    file.unlink(kMemoryDataset);
    H5::CompType type(sizeof(std::int64_t));
    type.insertMember(kMemoryColStallCycles, 0, H5::PredType::STD_I64LE);
    const hsize_t n = 1;
    file.createDataSet(kMemoryDataset, type, H5::DataSpace(1, &n));
  });
  CHECK_THROWS_WITH(TraceReader(no_column).memory(),
                    Catch::Contains(no_column.string()) && Catch::Contains("no column 'gemm'"));
  CHECK(TraceReader(no_column).gemms() == sample_gemms(1));
}

TEST_CASE("A version-5 file with a broken command record is rejected, naming the object", "[unit][traces]") {
  check_rejected(tampered_command_trace("no-argv.h5", [](H5::H5File& file, H5::Group&) {
                   file.unlink(kCommandLineDataset);
                 }),
                 "missing dataset '/command_line'");
  check_rejected(tampered_command_trace("no-inputs.h5", [](H5::H5File& file, H5::Group&) {
                   file.unlink(kInputsGroup);
                 }),
                 "missing group '/inputs'");
  check_rejected(tampered_command_trace("no-cwd.h5", [](H5::H5File& file, H5::Group&) {
                   file.openDataSet(kCommandLineDataset).removeAttr(kCommandLineAttrCwd);
                 }),
                 "missing attribute 'cwd' of '/command_line'");
  check_rejected(tampered_command_trace("no-path.h5", [](H5::H5File& file, H5::Group&) {
                   file.openDataSet(std::string(kInputsGroup) + "/2").removeAttr(kInputAttrPath);
                 }),
                 "missing attribute 'path' of '/inputs/2'");
  check_rejected(tampered_command_trace("gap.h5", [](H5::H5File& file, H5::Group&) {
                   file.move(std::string(kInputsGroup) + "/3", std::string(kInputsGroup) + "/9");
                 }),
                 "missing dataset '/inputs/3'");
  check_rejected(tampered_command_trace("short.h5", [](H5::H5File& file, H5::Group&) {
                   H5::DataSet d = file.openDataSet(std::string(kInputsGroup) + "/0");
                   d.removeAttr(kInputAttrSize);
                   d.createAttribute(kInputAttrSize, H5::PredType::STD_U64LE, H5::DataSpace(H5S_SCALAR))
                       .write(H5::PredType::NATIVE_UINT64, std::vector<std::uint64_t>{7}.data());
                 }),
                 "size attribute says 7");
  check_rejected(tampered_command_trace("argv-ints.h5", [](H5::H5File& file, H5::Group&) {
                   file.unlink(kCommandLineDataset);
                   const hsize_t n = 2;
                   const std::int32_t data[2] = {1, 2};
                   file.createDataSet(kCommandLineDataset, H5::PredType::STD_I32LE, H5::DataSpace(1, &n))
                       .write(data, H5::PredType::NATIVE_INT32);
                 }),
                 "is not a one-dimensional array of strings");
}
