// TraceWriter -> TraceReader round trips: every field comes back equal, across chunk boundaries.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
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

std::vector<GemmRecord> write_and_read(const std::string& file_name, const RunInfo& info,
                                       const std::vector<GemmRecord>& rows) {
  const auto path = scratch_path(file_name);
  {
    TraceWriter writer(path, info);
    for (const GemmRecord& r : rows) {
      writer.append_gemm(r);
    }
    CHECK(writer.gemm_count() == rows.size());
    writer.close();
  }
  const TraceReader reader(path);
  CHECK(reader.schema_version() == kSchemaVersion);
  CHECK(reader.run_info() == info);
  return reader.gemms();
}

// Values at the edges of each column's type: extremes, zero, empty and long strings.
std::vector<GemmRecord> edge_gemms() {
  constexpr auto i64_max = std::numeric_limits<std::int64_t>::max();
  constexpr auto i64_min = std::numeric_limits<std::int64_t>::min();
  constexpr auto i32_max = std::numeric_limits<std::int32_t>::max();
  constexpr auto i32_min = std::numeric_limits<std::int32_t>::min();
  std::vector<GemmRecord> out(4);
  out[0] = GemmRecord{};  // empty strings, zeros
  constexpr auto f64_max = std::numeric_limits<double>::max();
  constexpr auto inf = std::numeric_limits<double>::infinity();
  out[1] = GemmRecord{.name = std::string(1000, 'n'),
                      .m = i64_max,
                      .n = i64_max,
                      .k = i64_max,
                      .dataflow = "os",
                      .rows = i32_max,
                      .cols = i32_max,
                      .cycles = i64_max,
                      .macs = i64_max,
                      .utilization = f64_max,
                      .mapping_efficiency = 1.0,
                      .fidelity = "fold",
                      .host_seconds = inf};
  out[2] = GemmRecord{.name = "blocks.0.attn/qkv proj [decode] \"q\\k\"\t;,",
                      .m = i64_min,
                      .n = -1,
                      .k = 1,
                      .dataflow = "ws",
                      .rows = i32_min,
                      .cols = -1,
                      .cycles = i64_min,
                      .macs = -1,
                      .utilization = std::numeric_limits<double>::denorm_min(),
                      .mapping_efficiency = -0.0,
                      .fidelity = "pe",
                      .host_seconds = std::numeric_limits<double>::lowest()};
  out[3] = GemmRecord{.name = std::string(100, 'a') + "/" + std::string(99, 'b'),
                      .m = 1,
                      .n = 1,
                      .k = 1,
                      .dataflow = "ws",
                      .rows = 1,
                      .cols = 1,
                      .cycles = 1,
                      .macs = 1,
                      .utilization = 1.0 / 3.0,
                      .mapping_efficiency = 0.1,
                      .fidelity = "pe",
                      .host_seconds = 1e-300};
  return out;
}

}  // namespace

TEST_CASE("Round trip keeps run info and every GEMM column", "[unit][traces]") {
  const auto rows = sample_gemms(10);
  CHECK(write_and_read("roundtrip.h5", sample_run_info(), rows) == rows);
}

TEST_CASE("Round trip keeps extreme values, empty and long strings", "[unit][traces]") {
  const auto rows = edge_gemms();
  CHECK(write_and_read("edges.h5", sample_run_info(), rows) == rows);
}

TEST_CASE("NaN values survive the round trip", "[unit][traces]") {
  GemmRecord r = sample_gemms(1)[0];
  r.utilization = std::numeric_limits<double>::quiet_NaN();  // e.g. cycles == 0
  const auto back = write_and_read("nan.h5", sample_run_info(), {r});
  REQUIRE(back.size() == 1);
  CHECK(std::isnan(back[0].utilization));
  CHECK(back[0].name == r.name);
}

TEST_CASE("Appends span several chunks", "[unit][traces]") {
  const auto rows = sample_gemms(3 * static_cast<int>(kGemmsChunkRows) + 5);
  CHECK(write_and_read("chunks.h5", sample_run_info(), rows) == rows);
}

TEST_CASE("A trace with no GEMMs reads as an empty table", "[unit][traces]") {
  CHECK(write_and_read("empty.h5", sample_run_info(), {}).empty());
}

TEST_CASE("Run info: large config text, empty strings, created_utc filled in", "[unit][traces]") {
  RunInfo info;
  info.command = "gemm";
  for (int i = 0; i < 5000; ++i) {  // ~200 KB: beyond HDF5's 64 KB limit for attributes stored in the header
    info.config_toml += "key_" + std::to_string(i) + " = \"value value value\"\n";
  }
  info.seed = 0;
  const auto path = scratch_path("runinfo.h5");
  TraceWriter(path, info).close();
  const RunInfo back = TraceReader(path).run_info();
  CHECK(back.command == "gemm");
  CHECK(back.config_toml == info.config_toml);
  CHECK(back.seed == 0);
  CHECK(back.saffire_version.empty());
  // The writer stamps the time as YYYY-MM-DDTHH:MM:SSZ.
  REQUIRE(back.created_utc.size() == 20);
  CHECK(back.created_utc[4] == '-');
  CHECK(back.created_utc[10] == 'T');
  CHECK(back.created_utc[19] == 'Z');
}

TEST_CASE("The command record round trips: argv, cwd, embedded bytes and referenced files", "[unit][traces]") {
  const RunInfo info = sample_run_info_with_command();
  REQUIRE(info.inputs.size() == 4);
  const auto path = scratch_path("command.h5");
  {
    TraceWriter writer(path, info);
    writer.append_gemm(sample_gemms(1)[0]);
  }
  const RunInfo back = TraceReader(path).run_info();
  CHECK(back == info);
  CHECK(back.argv == info.argv);
  CHECK(back.argv[3] == "out/r\xc3\xa9sum\xc3\xa9");  // UTF-8 kept
  CHECK(back.argv[5].empty());
  CHECK(back.cwd == "/home/user/work");
  REQUIRE(back.inputs.size() == 4);
  CHECK(back.inputs[1].content.size() == 256);  // every byte value, NUL included
  CHECK(static_cast<unsigned char>(back.inputs[1].content[255]) == 255);
  CHECK(back.inputs[2].embedded);
  CHECK(back.inputs[2].content.empty());
  CHECK_FALSE(back.inputs[3].embedded);
  CHECK(back.inputs[3].size == 18446744073709551615ULL);
  CHECK(back.inputs[3].source == "found");

  // No command record given: both objects exist and read back empty.
  const auto plain = scratch_path("no-command.h5");
  TraceWriter(plain, sample_run_info()).close();
  const RunInfo none = TraceReader(plain).run_info();
  CHECK(none.argv.empty());
  CHECK(none.cwd.empty());
  CHECK(none.inputs.empty());

  // append() leaves the command record of the first run as it was.
  TraceWriter resumed = TraceWriter::append(path);
  resumed.append_points(sample_points(2));
  resumed.close();
  CHECK(TraceReader(path).run_info() == info);
  CHECK(TraceReader(path).gemms() == sample_gemms(1));
}

TEST_CASE("The destructor closes the file; a moved writer keeps writing", "[unit][traces]") {
  const auto path = scratch_path("moved.h5");
  const auto rows = sample_gemms(3);
  {
    TraceWriter first(path, sample_run_info());
    first.append_gemm(rows[0]);
    TraceWriter second(std::move(first));
    CHECK_FALSE(first.is_open());  // NOLINT(bugprone-use-after-move): checking the moved-from state
    second.append_gemm(rows[1]);
    second.append_gemm(rows[2]);
    second.append_decisions(sample_decisions(2));
    CHECK(second.gemm_count() == 3);
    CHECK(second.decision_count() == 2);
  }  // no close(): the destructor must close
  CHECK(TraceReader(path).gemms() == rows);
  CHECK(TraceReader(path).decisions() == sample_decisions(2));
}

TEST_CASE("close() is idempotent and append after close throws naming the file", "[unit][traces]") {
  const auto path = scratch_path("closed.h5");
  TraceWriter writer(path, sample_run_info());
  writer.close();
  writer.close();
  CHECK_FALSE(writer.is_open());
  CHECK_THROWS_AS(writer.append_gemm(sample_gemms(1)[0]), TraceError);
  CHECK_THROWS_WITH(writer.append_gemm(sample_gemms(1)[0]), Catch::Contains(path.string()));
}

TEST_CASE("A writer to an unwritable path throws naming the file", "[unit][traces]") {
  const std::filesystem::path path = "/nonexistent-dir/trace.h5";
  CHECK_THROWS_AS(TraceWriter(path, sample_run_info()), TraceError);
  CHECK_THROWS_WITH(TraceWriter(path, sample_run_info()), Catch::Contains(path.string()) &&
                                                              Catch::Contains("cannot create file") &&
                                                              Catch::Contains("No such file or directory"));
}

TEST_CASE("Fault rows round trip in batches, across chunks, next to GEMM rows", "[unit][traces]") {
  const auto path = scratch_path("faults.h5");
  const auto faults = sample_faults(2 * static_cast<int>(kFaultsChunkRows) + 17);
  const auto gemms = sample_gemms(3);
  {
    TraceWriter writer(path, sample_run_info());
    writer.append_gemm(gemms[0]);
    writer.append_faults({faults.begin(), faults.begin() + 1});
    writer.append_faults({});  // an empty batch is a no-op
    writer.append_gemm(gemms[1]);
    writer.append_faults({faults.begin() + 1, faults.end() - 5});
    writer.append_faults({faults.end() - 5, faults.end()});
    writer.append_gemm(gemms[2]);
    CHECK(writer.fault_count() == faults.size());
    CHECK(writer.gemm_count() == gemms.size());
  }
  const TraceReader reader(path);
  CHECK(reader.schema_version() == kSchemaVersion);
  CHECK(reader.faults() == faults);
  CHECK(reader.gemms() == gemms);
  CHECK(reader.decisions().empty());
}

TEST_CASE("Fault rows keep extreme values and empty strings; no faults reads as empty", "[unit][traces]") {
  constexpr auto i64_max = std::numeric_limits<std::int64_t>::max();
  constexpr auto i64_min = std::numeric_limits<std::int64_t>::min();
  constexpr auto i32_max = std::numeric_limits<std::int32_t>::max();
  constexpr auto i32_min = std::numeric_limits<std::int32_t>::min();
  std::vector<FaultRecord> rows(3);
  rows[1] = FaultRecord{.gemm = std::string(500, 'x'),
                        .layer = i32_max,
                        .component = "pv",
                        .stage = "decode",
                        .head = i32_min,
                        .call_index = i64_max,
                        .sequence = i32_max,
                        .m = i64_min,
                        .n = i64_max,
                        .pe_row = i64_max,
                        .pe_col = i64_min,
                        .fold = i64_max,
                        .cycle = i64_min,
                        .bit = 31,
                        .before = i32_max,
                        .after = i32_min,
                        .delta = static_cast<std::int64_t>(i32_min) - i32_max};
  rows[2].gemm = "L0.q \"x\"\t;,";
  rows[2].delta = i64_min;
  const auto path = scratch_path("fault-edges.h5");
  {
    TraceWriter writer(path, sample_run_info());
    writer.append_faults(rows);
  }
  CHECK(TraceReader(path).faults() == rows);
  const auto empty = scratch_path("no-faults.h5");
  TraceWriter(empty, sample_run_info()).close();
  CHECK(TraceReader(empty).faults().empty());
}

TEST_CASE("append_faults after close throws naming the file", "[unit][traces]") {
  const auto path = scratch_path("faults-closed.h5");
  TraceWriter writer(path, sample_run_info());
  writer.close();
  CHECK_THROWS_WITH(writer.append_faults(sample_faults(1)), Catch::Contains(path.string()));
}

TEST_CASE("Decision rows round trip in batches, across chunks, next to GEMM and fault rows", "[unit][traces]") {
  const auto path = scratch_path("decisions.h5");
  const auto decisions = sample_decisions(2 * static_cast<int>(kDecisionsChunkRows) + 3);
  const auto faults = sample_faults(40);
  const auto gemms = sample_gemms(2);
  {
    TraceWriter writer(path, sample_run_info());
    writer.append_decisions({decisions.begin(), decisions.begin() + 1});
    writer.append_gemm(gemms[0]);
    writer.append_faults(faults);
    writer.append_decisions({});  // an empty batch is a no-op
    CHECK(writer.decision_count() == 1);
    writer.append_decisions({decisions.begin() + 1, decisions.end() - 2});
    writer.append_gemm(gemms[1]);
    writer.append_decisions({decisions.end() - 2, decisions.end()});
    CHECK(writer.decision_count() == decisions.size());
    CHECK(writer.fault_count() == faults.size());
    CHECK(writer.gemm_count() == gemms.size());
  }
  const TraceReader reader(path);
  CHECK(reader.schema_version() == kSchemaVersion);
  CHECK(reader.decisions() == decisions);
  CHECK(reader.faults() == faults);
  CHECK(reader.gemms() == gemms);
}

TEST_CASE("Decision rows keep extreme values and empty strings; no decisions reads as empty", "[unit][traces]") {
  constexpr auto i64_max = std::numeric_limits<std::int64_t>::max();
  constexpr auto i64_min = std::numeric_limits<std::int64_t>::min();
  constexpr auto i32_max = std::numeric_limits<std::int32_t>::max();
  constexpr auto i32_min = std::numeric_limits<std::int32_t>::min();
  std::vector<DecisionRecord> rows(5);  // rows[0]: empty strings, zeros, tile -1
  rows[1] = DecisionRecord{.gemm = std::string(600, 'x'),
                           .layer = i32_max,
                           .component = "down",
                           .stage = "decode",
                           .head = i32_min,
                           .call_index = i64_max,
                           .sequence = i32_max,
                           .attempt = i32_max,
                           .tile = i64_max,
                           .scheme = "classic-correct",
                           .action = "recompute",
                           .msd = std::numeric_limits<double>::max(),
                           .theta_mag = std::numeric_limits<double>::infinity(),
                           .freq = i64_max,
                           .recovered_at_nominal = 1};
  rows[2] = DecisionRecord{.gemm = "L0.qk \"h\"\t;,",
                           .layer = i32_min,
                           .component = "",
                           .stage = "",
                           .head = i32_max,
                           .call_index = i64_min,
                           .sequence = i32_min,
                           .attempt = i32_min,
                           .tile = i64_min,
                           .scheme = "",
                           .action = "",
                           .msd = std::numeric_limits<double>::denorm_min(),
                           .theta_mag = std::numeric_limits<double>::lowest(),
                           .freq = i64_min,
                           .recovered_at_nominal = i32_min};
  rows[3].msd = -0.0;
  rows[3].theta_mag = -std::numeric_limits<double>::infinity();
  rows[3].recovered_at_nominal = i32_max;
  rows[4].scheme = std::string(300, 's');  // the library stores any string; --check judges the values
  rows[4].action = std::string(1, 'a');
  const auto path = scratch_path("decision-edges.h5");
  {
    TraceWriter writer(path, sample_run_info());
    writer.append_decisions(rows);
  }
  const auto back = TraceReader(path).decisions();
  CHECK(back == rows);
  REQUIRE(back.size() == rows.size());
  CHECK(back[0].tile == -1);  // the record's default: the whole GEMM
  CHECK(std::signbit(back[3].msd));
  CHECK(TraceReader(path).faults().empty());

  const auto empty = scratch_path("no-decisions.h5");
  TraceWriter(empty, sample_run_info()).close();
  CHECK(TraceReader(empty).decisions().empty());
}

TEST_CASE("NaN in a decision row survives the round trip", "[unit][traces]") {
  DecisionRecord d = sample_decisions(1)[0];
  d.msd = std::numeric_limits<double>::quiet_NaN();
  d.theta_mag = std::numeric_limits<double>::quiet_NaN();
  const auto path = scratch_path("decision-nan.h5");
  {
    TraceWriter writer(path, sample_run_info());
    writer.append_decisions({d});
  }
  const auto back = TraceReader(path).decisions();
  REQUIRE(back.size() == 1);
  CHECK(std::isnan(back[0].msd));
  CHECK(std::isnan(back[0].theta_mag));
  CHECK(back[0].gemm == d.gemm);
  CHECK(back[0].freq == d.freq);
}

TEST_CASE("append_decisions after close throws naming the file", "[unit][traces]") {
  const auto path = scratch_path("decisions-closed.h5");
  TraceWriter writer(path, sample_run_info());
  writer.close();
  CHECK_THROWS_AS(writer.append_decisions(sample_decisions(1)), TraceError);
  CHECK_THROWS_WITH(writer.append_decisions(sample_decisions(1)),
                    Catch::Contains(path.string()) && Catch::Contains("append_decisions"));
  CHECK(writer.decision_count() == 0);
}

TEST_CASE("Point rows round trip in batches, across chunks, next to the other tables", "[unit][traces]") {
  const auto path = scratch_path("points.h5");
  const auto points = sample_points(2 * static_cast<int>(kPointsChunkRows) + 9);
  const auto gemms = sample_gemms(2);
  const auto faults = sample_faults(3);
  const auto decisions = sample_decisions(4);
  {
    TraceWriter writer(path, sample_run_info());
    CHECK(writer.point_count() == 0);
    writer.append_points({points.begin(), points.begin() + 1});  // one point at a time, as a sweep does
    writer.append_gemm(gemms[0]);
    writer.append_points({});  // an empty batch is a no-op
    CHECK(writer.point_count() == 1);
    writer.append_faults(faults);
    writer.append_points({points.begin() + 1, points.end() - 3});
    writer.append_decisions(decisions);
    writer.append_gemm(gemms[1]);
    writer.append_points({points.end() - 3, points.end()});
    CHECK(writer.point_count() == points.size());
    CHECK(writer.gemm_count() == gemms.size());
    CHECK(writer.fault_count() == faults.size());
    CHECK(writer.decision_count() == decisions.size());
  }
  const TraceReader reader(path);
  CHECK(reader.schema_version() == kSchemaVersion);
  CHECK(reader.points() == points);
  CHECK(reader.gemms() == gemms);
  CHECK(reader.faults() == faults);
  CHECK(reader.decisions() == decisions);
}

TEST_CASE("Point rows keep extreme values, long JSON texts and empty strings; no points reads as empty",
          "[unit][traces]") {
  constexpr auto i32_max = std::numeric_limits<std::int32_t>::max();
  constexpr auto i32_min = std::numeric_limits<std::int32_t>::min();
  std::string long_result = R"({"rows":[)";
  for (int i = 0; i < 20000; ++i) {  // ~300 KB of JSON in one string
    long_result.append(i == 0 ? "" : ",").append(R"({"i":)").append(std::to_string(i)).append(R"(,"s":"a\"b\\c"})");
  }
  long_result.append("]}");
  std::vector<PointRecord> rows(5);  // rows[0]: every string empty, zeros
  rows[1] = PointRecord{.key = "ffffffffffffffff",
                        .command = "eval",
                        .options = std::string(R"({"prompt":")").append(5000, 'x').append(R"("})"),
                        .coordinates = R"({"ber":"1e-9","node":"7","note":"tab\t newline\n \u00e9 \"q\""})",
                        .status = "ok",
                        .exit_code = i32_max,
                        .seconds = std::numeric_limits<double>::max(),
                        .rank = i32_max,
                        .finished_utc = "2024-05-01T12:00:00Z",
                        .result = long_result,
                        .error = ""};
  rows[2] = PointRecord{.key = "0000000000000000",
                        .command = "",
                        .options = "{}",
                        .coordinates = "{}",
                        .status = "failed",
                        .exit_code = i32_min,
                        .seconds = std::numeric_limits<double>::infinity(),
                        .rank = i32_min,
                        .finished_utc = "",
                        .result = "",
                        .error = std::string(4000, 'e') + "\n\xc3\xa9 (UTF-8)\n"};
  rows[3].seconds = -0.0;
  rows[3].status = "failed";
  rows[3].error = "line 1\nline 2\r\n";
  rows[4].seconds = std::numeric_limits<double>::denorm_min();
  rows[4].status = std::string(300, 's');  // the library stores any string; --check judges the values
  const auto path = scratch_path("point-edges.h5");
  {
    TraceWriter writer(path, sample_run_info());
    writer.append_points(rows);
  }
  const auto back = TraceReader(path).points();
  CHECK(back == rows);
  REQUIRE(back.size() == rows.size());
  CHECK(back[1].result.size() == long_result.size());
  CHECK(std::signbit(back[3].seconds));
  CHECK(TraceReader(path).decisions().empty());

  const auto empty = scratch_path("no-points.h5");
  TraceWriter(empty, sample_run_info()).close();
  CHECK(TraceReader(empty).points().empty());
}

TEST_CASE("NaN seconds in a point row survive the round trip", "[unit][traces]") {
  PointRecord p = sample_points(1)[0];
  p.seconds = std::numeric_limits<double>::quiet_NaN();
  const auto path = scratch_path("point-nan.h5");
  {
    TraceWriter writer(path, sample_run_info());
    writer.append_points({p});
  }
  const auto back = TraceReader(path).points();
  REQUIRE(back.size() == 1);
  CHECK(std::isnan(back[0].seconds));
  CHECK(back[0].key == p.key);
  CHECK(back[0].result == p.result);
  CHECK(back[0].exit_code == p.exit_code);
}

TEST_CASE("append_points after close throws naming the file", "[unit][traces]") {
  const auto path = scratch_path("points-closed.h5");
  TraceWriter writer(path, sample_run_info());
  writer.close();
  CHECK_THROWS_AS(writer.append_points(sample_points(1)), TraceError);
  CHECK_THROWS_WITH(writer.append_points(sample_points(1)),
                    Catch::Contains(path.string()) && Catch::Contains("append_points"));
  CHECK(writer.point_count() == 0);
}

TEST_CASE("append() reopens a trace: counts start at the file's rows, new rows follow the old ones", "[unit][traces]") {
  const auto path = scratch_path("resume.h5");
  const auto gemms = sample_gemms(5);
  const auto faults = sample_faults(static_cast<int>(kFaultsChunkRows) + 10);
  const auto decisions = sample_decisions(7);
  const auto points = sample_points(static_cast<int>(kPointsChunkRows) + 20);
  const RunInfo info = sample_run_info();
  // First run: part of every table.
  {
    TraceWriter writer(path, info);
    writer.append_gemm(gemms[0]);
    writer.append_gemm(gemms[1]);
    writer.append_faults({faults.begin(), faults.begin() + 1000});
    writer.append_decisions({decisions.begin(), decisions.begin() + 3});
    writer.append_points({points.begin(), points.begin() + 60});  // the resumed run crosses the chunk edge
  }
  // Second run: appends to every table.
  {
    TraceWriter writer = TraceWriter::append(path);
    CHECK(writer.is_open());
    CHECK(writer.path() == path);
    CHECK(writer.gemm_count() == 2);
    CHECK(writer.fault_count() == 1000);
    CHECK(writer.decision_count() == 3);
    CHECK(writer.point_count() == 60);
    writer.append_gemm(gemms[2]);
    writer.append_faults({faults.begin() + 1000, faults.end()});
    writer.append_decisions({decisions.begin() + 3, decisions.begin() + 6});
    writer.append_points({points.begin() + 60, points.end() - 1});
    CHECK(writer.gemm_count() == 3);
    CHECK(writer.fault_count() == faults.size());
    CHECK(writer.decision_count() == 6);
    CHECK(writer.point_count() == points.size() - 1);
    writer.close();
  }
  // Third run: resumes again; some tables get nothing.
  {
    TraceWriter writer = TraceWriter::append(path);
    CHECK(writer.gemm_count() == 3);
    CHECK(writer.fault_count() == faults.size());
    CHECK(writer.point_count() == points.size() - 1);
    writer.append_gemm(gemms[3]);
    writer.append_gemm(gemms[4]);
    writer.append_decisions({decisions.begin() + 6, decisions.end()});
    writer.append_points({points.end() - 1, points.end()});
  }  // the destructor closes it
  const TraceReader reader(path);
  CHECK(reader.schema_version() == kSchemaVersion);
  CHECK(reader.run_info() == info);  // root attributes unchanged, created_utc included
  CHECK(reader.gemms() == gemms);
  CHECK(reader.faults() == faults);
  CHECK(reader.decisions() == decisions);
  CHECK(reader.points() == points);
}

TEST_CASE("append() to a trace with empty tables, and a move-assigned appender", "[unit][traces]") {
  const auto path = scratch_path("resume-empty.h5");
  RunInfo info = sample_run_info();
  info.created_utc.clear();  // stamped by the first writer; append() must not restamp it
  TraceWriter(path, info).close();
  const RunInfo stamped = TraceReader(path).run_info();
  const auto points = sample_points(3);
  {
    TraceWriter writer(scratch_path("resume-other.h5"), sample_run_info());
    writer = TraceWriter::append(path);  // closes the other file first
    CHECK(writer.gemm_count() == 0);
    CHECK(writer.fault_count() == 0);
    CHECK(writer.decision_count() == 0);
    CHECK(writer.point_count() == 0);
    writer.append_points(points);
    CHECK(writer.point_count() == points.size());
  }
  const TraceReader reader(path);
  CHECK(reader.run_info() == stamped);
  CHECK(reader.points() == points);
  CHECK(reader.gemms().empty());
  CHECK(reader.faults().empty());
  CHECK(reader.decisions().empty());
}

TEST_CASE("Memory rows round trip every column in batches, across chunks, next to the other tables", "[unit][traces]") {
  const auto path = scratch_path("memory.h5");
  const auto memory = sample_memory(2 * static_cast<int>(kMemoryChunkRows) + 5);
  const auto gemms = sample_gemms(3);
  const auto points = sample_points(2);
  {
    TraceWriter writer(path, sample_run_info());
    CHECK(writer.memory_count() == 0);
    writer.append_gemm(gemms[0]);
    writer.append_memory({memory.begin(), memory.begin() + 1});  // one GEMM's row at a time, as topology does
    writer.append_memory({});                                    // an empty batch is a no-op
    CHECK(writer.memory_count() == 1);
    writer.append_points(points);
    writer.append_gemm(gemms[1]);
    writer.append_memory({memory.begin() + 1, memory.end() - 2});
    writer.append_gemm(gemms[2]);
    writer.append_memory({memory.end() - 2, memory.end()});
    CHECK(writer.memory_count() == memory.size());
  }
  const TraceReader reader(path);
  CHECK(reader.schema_version() == kSchemaVersion);
  const auto back = reader.memory();
  CHECK(back == memory);
  REQUIRE(back.size() == memory.size());
  // Column by column on one row, so a failure names the column (operator== only says "different").
  const MemoryRecord& want = memory[4];
  const MemoryRecord& got = back[4];
  CHECK(got.gemm == want.gemm);
  CHECK(got.model == want.model);
  CHECK(got.dram_preset == want.dram_preset);
  CHECK(got.compute_cycles == want.compute_cycles);
  CHECK(got.stall_cycles == want.stall_cycles);
  CHECK(got.total_cycles == want.total_cycles);
  CHECK(got.sram_reads_ifmap == want.sram_reads_ifmap);
  CHECK(got.sram_reads_filter == want.sram_reads_filter);
  CHECK(got.sram_reads_ofmap == want.sram_reads_ofmap);
  CHECK(got.sram_writes_ifmap == want.sram_writes_ifmap);
  CHECK(got.sram_writes_filter == want.sram_writes_filter);
  CHECK(got.sram_writes_ofmap == want.sram_writes_ofmap);
  CHECK(got.dram_reads_ifmap == want.dram_reads_ifmap);
  CHECK(got.dram_reads_filter == want.dram_reads_filter);
  CHECK(got.dram_reads_ofmap == want.dram_reads_ofmap);
  CHECK(got.dram_writes_ifmap == want.dram_writes_ifmap);
  CHECK(got.dram_writes_filter == want.dram_writes_filter);
  CHECK(got.dram_writes_ofmap == want.dram_writes_ofmap);
  CHECK(got.dram_bytes_read == want.dram_bytes_read);
  CHECK(got.dram_bytes_written == want.dram_bytes_written);
  CHECK(got.achieved_gbps == want.achieved_gbps);
  CHECK(got.required_avg_ifmap == want.required_avg_ifmap);
  CHECK(got.required_avg_filter == want.required_avg_filter);
  CHECK(got.required_avg_ofmap == want.required_avg_ofmap);
  CHECK(got.required_peak_ifmap == want.required_peak_ifmap);
  CHECK(got.required_peak_filter == want.required_peak_filter);
  CHECK(got.required_peak_ofmap == want.required_peak_ofmap);
  CHECK(got.dram_requests == want.dram_requests);
  CHECK(got.dram_row_hits == want.dram_row_hits);
  CHECK(got.dram_row_misses == want.dram_row_misses);
  CHECK(got.dram_row_conflicts == want.dram_row_conflicts);
  CHECK(got.row_hit_rate == want.row_hit_rate);
  CHECK(got.sram_energy_pj == want.sram_energy_pj);
  CHECK(got.dram_energy_pj == want.dram_energy_pj);
  CHECK(reader.gemms() == gemms);
  CHECK(reader.points() == points);
  CHECK(reader.faults().empty());
}

TEST_CASE("Memory rows keep extreme values, NaN and empty strings; no rows reads as empty", "[unit][traces]") {
  constexpr auto i64_max = std::numeric_limits<std::int64_t>::max();
  constexpr auto i64_min = std::numeric_limits<std::int64_t>::min();
  std::vector<MemoryRecord> rows(3);  // rows[0]: every string empty, zeros
  rows[1].gemm = std::string(3000, 'g') + "\xc3\xa9";
  rows[1].model = "dram";
  rows[1].dram_preset = "my-preset.toml";
  rows[1].compute_cycles = i64_max, rows[1].stall_cycles = i64_min, rows[1].dram_row_conflicts = i64_max;
  rows[1].achieved_gbps = std::numeric_limits<double>::max();
  rows[1].row_hit_rate = std::numeric_limits<double>::denorm_min();
  rows[1].dram_energy_pj = std::numeric_limits<double>::infinity();
  rows[2].sram_energy_pj = -0.0;
  rows[2].required_peak_ofmap = std::numeric_limits<double>::quiet_NaN();
  const auto path = scratch_path("memory-edges.h5");
  {
    TraceWriter writer(path, sample_run_info());
    writer.append_memory(rows);
  }
  const auto back = TraceReader(path).memory();
  REQUIRE(back.size() == rows.size());
  CHECK(back[0] == rows[0]);
  CHECK(back[1] == rows[1]);
  CHECK(std::signbit(back[2].sram_energy_pj));
  CHECK(std::isnan(back[2].required_peak_ofmap));

  const auto empty = scratch_path("no-memory.h5");
  TraceWriter(empty, sample_run_info()).close();
  CHECK(TraceReader(empty).memory().empty());
}

TEST_CASE("append_memory after close throws naming the file; append() resumes the memory table", "[unit][traces]") {
  const auto closed = scratch_path("memory-closed.h5");
  TraceWriter writer(closed, sample_run_info());
  writer.close();
  CHECK_THROWS_AS(writer.append_memory(sample_memory(1)), TraceError);
  CHECK_THROWS_WITH(writer.append_memory(sample_memory(1)),
                    Catch::Contains(closed.string()) && Catch::Contains("append_memory"));

  const auto path = scratch_path("memory-resume.h5");
  const auto memory = sample_memory(static_cast<int>(kMemoryChunkRows) + 3);
  {
    TraceWriter first(path, sample_run_info());
    first.append_memory({memory.begin(), memory.begin() + 60});
  }
  {
    TraceWriter resumed = TraceWriter::append(path);
    CHECK(resumed.memory_count() == 60);
    resumed.append_memory({memory.begin() + 60, memory.end()});
    CHECK(resumed.memory_count() == memory.size());
  }
  CHECK(TraceReader(path).memory() == memory);
}
