#pragma once
// Deterministic trace content shared by the C++ tests and write_sample_trace (whose output the
// Python reader test checks), so both sides test the same values.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "traces/trace_records.hpp"

namespace saffire::traces::test {

inline RunInfo sample_run_info() {
  RunInfo info;
  info.command = "topology";
  info.config_toml = "[arch]\nrows = 32\ncols = 32\ndataflow = \"ws\"\n\n[model]\ntopology = \"resnet18.csv\"\n";
  info.seed = 18446744073709551615ULL;  // uint64 max: must not pass through a signed type
  info.saffire_version = "0.1.0";
  info.created_utc = "2024-01-02T03:04:05Z";
  return info;
}

// "fnv1a64:<16 hex>" of `bytes`: the hash the CLI records for an input file (sim/cli/run_record.cpp),
// which saffire_traces.py --check verifies for small embedded files.
inline std::string sample_input_hash(const std::string& bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : bytes) {
    h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  }
  char out[40];
  std::snprintf(out, sizeof out, "fnv1a64:%016llx", static_cast<unsigned long long>(h));
  return out;
}

// sample_run_info() with a command record (schema version 5): a UTF-8 and an empty argv token, an
// embedded text file, an embedded binary file holding every byte value, an empty embedded file and
// one recorded by reference (the library stores what it is given).
inline RunInfo sample_run_info_with_command() {
  RunInfo info = sample_run_info();
  info.argv = {"topology", "resnet18.csv", "--out", "out/r\xc3\xa9sum\xc3\xa9", "--prompt", "", "--json"};
  info.cwd = "/home/user/work";
  InputFile csv;
  csv.path = "resnet18.csv";
  csv.resolved = "/home/user/work/resnet18.csv";
  csv.source = "argv";
  csv.content = "Layer,M,N,K\nconv1,12544,64,147\n";
  csv.size = csv.content.size();
  csv.hash = sample_input_hash(csv.content);
  csv.embedded = true;
  InputFile binary;
  binary.path = "/abs/every-byte.bin";
  binary.resolved = "/abs/every-byte.bin";
  binary.source = "point";
  for (int b = 0; b < 256; ++b) {
    binary.content.push_back(static_cast<char>(b));
  }
  binary.size = binary.content.size();
  binary.hash = sample_input_hash(binary.content);
  binary.embedded = true;
  InputFile empty;
  empty.path = "empty.toml";
  empty.resolved = "/home/user/work/empty.toml";
  empty.source = "argv";
  empty.hash = sample_input_hash(empty.content);
  empty.embedded = true;
  InputFile big;
  big.path = "../shared/models/stories260K.bin";
  big.resolved = "/home/user/shared/models/stories260K.bin";
  big.source = "found";
  big.size = 18446744073709551615ULL;  // uint64 max: must not pass through a signed type
  big.hash = "fnv1a64-sampled:00000000000000ff";
  info.inputs = {csv, binary, empty, big};
  return info;
}

// A consistent GEMM row: macs = m*n*k, utilization = macs / (cycles * R * C).
inline GemmRecord sample_gemm(std::string name, std::int64_t m, std::int64_t n, std::int64_t k, const char* dataflow,
                              std::int32_t rows, std::int32_t cols, std::int64_t cycles, double mapping_efficiency,
                              const char* fidelity, double host_seconds) {
  GemmRecord r;
  r.name = std::move(name);
  r.m = m;
  r.n = n;
  r.k = k;
  r.dataflow = dataflow;
  r.rows = rows;
  r.cols = cols;
  r.cycles = cycles;
  r.macs = m * n * k;
  r.utilization = static_cast<double>(r.macs) / (static_cast<double>(cycles) * rows * cols);
  r.mapping_efficiency = mapping_efficiency;
  r.fidelity = fidelity;
  r.host_seconds = host_seconds;
  return r;
}

// `count` rows with varied shapes; every 7th name is long (150 characters).
inline std::vector<GemmRecord> sample_gemms(int count) {
  std::vector<GemmRecord> out;
  for (int i = 0; i < count; ++i) {
    const std::int64_t m = 1 + 37 * i, n = 64 + i, k = 3 * (i + 1);
    // Built with append: GCC 12 gives a false -Wrestrict on `"literal" + std::string` (GCC bug 105651).
    std::string name = std::string("layer").append(std::to_string(i)).append(".conv");
    if (i % 7 == 0) {
      name.append(".").append(150 - name.size() - 1, 'x');
    }
    const bool ws = i % 2 == 0;
    const std::int64_t cycles = m * n * k / (32 * 16) + 100 + 13 * i;  // > macs / (R*C): utilization < 1
    out.push_back(sample_gemm(std::move(name), m, n, k, ws ? "ws" : "os", 32, 16, cycles, 0.5 + 0.001 * i,
                              i % 3 == 0 ? "pe" : "fold", 1e-3 * i + 1e-9));
  }
  return out;
}

// `count` consistent fault rows (delta = after - before, an exact +-2^bit); every 5th GEMM name is long.
inline std::vector<FaultRecord> sample_faults(int count) {
  static const char* const kComponents[] = {"q", "k", "v", "o", "gate", "up", "down", "qk", "pv"};
  std::vector<FaultRecord> out;
  for (int i = 0; i < count; ++i) {
    FaultRecord f;
    f.layer = i % 5;
    f.component = kComponents[i % 9];
    f.stage = i % 4 == 3 ? "decode" : "prefill";
    f.head = (i % 9 >= 7) ? i % 8 : -1;
    f.call_index = 3 * i + 1;
    f.sequence = i / 50;
    f.gemm =
        std::string("L").append(std::to_string(f.layer)).append(".").append(f.component).append(".").append(f.stage);
    if (i % 5 == 0) {
      f.gemm.append(".").append(120, 'g');
    }
    f.m = 7 * i;
    f.n = 1000 + i;
    f.pe_row = i % 16;
    f.pe_col = (i * 3) % 16;
    f.fold = i / 7;
    f.cycle = 40 + 2 * i;
    f.bit = i % 32;
    f.before = (i % 2 == 0 ? 1 : -1) * 1000 * i;
    const std::uint32_t mask = 1u << f.bit;
    f.after = static_cast<std::int32_t>(static_cast<std::uint32_t>(f.before) ^ mask);
    f.delta = static_cast<std::int64_t>(f.after) - f.before;
    out.push_back(std::move(f));
  }
  return out;
}

// `count` valid ABFT decision rows (every scheme and action, tile -1 or a tile index, attempts 0..2,
// recovered_at_nominal 0/1, msd >= 0); theta_mag is non-zero only for "statistical"; every 6th GEMM
// name is long.
inline std::vector<DecisionRecord> sample_decisions(int count) {
  static const char* const kComponents[] = {"q", "k", "v", "o", "gate", "up", "down", "qk", "pv"};
  static const char* const kSchemes[] = {"none",        "classic", "classic-correct", "approxabft",
                                         "statistical", "dmr",     "thundervolt"};
  static const char* const kActions[] = {"accept", "correct", "recompute", "drop"};
  std::vector<DecisionRecord> out;
  for (int i = 0; i < count; ++i) {
    DecisionRecord d;
    d.layer = i % 6;
    d.component = kComponents[i % 9];
    d.stage = i % 3 == 2 ? "decode" : "prefill";
    d.head = (i % 9 >= 7) ? i % 4 : -1;
    d.call_index = 2 * i + 5;
    d.sequence = i / 100;
    d.gemm =
        std::string("L").append(std::to_string(d.layer)).append(".").append(d.component).append(".").append(d.stage);
    if (i % 6 == 0) {
      d.gemm.append(".").append(90, 'd');
    }
    d.attempt = i % 3;
    d.tile = i % 4 == 0 ? -1 : i % 11;
    d.scheme = kSchemes[i % 7];
    d.action = kActions[i % 4];
    d.msd = i % 5 == 0 ? 0.0 : 1.0 / 3.0 + 0.25 * i;
    d.theta_mag = d.scheme == "statistical" ? 2.5 + 1e-3 * i : 0.0;
    d.freq = i % 13;
    d.recovered_at_nominal = i % 8 == 7 ? 1 : 0;
    out.push_back(std::move(d));
  }
  return out;
}

// `count` valid sweep-point rows: every 4th point failed (non-zero exit code, stderr tail, no
// result), the others ok (exit code 0, a JSON object result); keys are 16 lowercase hex digits, JSON
// texts are objects; every 9th point has long options and a long result. Points over a grid of
// --ber x --node, on ranks 0..2.
inline std::vector<PointRecord> sample_points(int count) {
  static const char* const kCommands[] = {"eval", "gemm", "eval", "topology"};
  std::vector<PointRecord> out;
  for (int i = 0; i < count; ++i) {
    PointRecord p;
    char key[17];
    std::snprintf(key, sizeof key, "%016llx",
                  static_cast<unsigned long long>(0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(i + 1)));
    p.key = key;
    p.command = kCommands[i % 4];
    const std::string ber = std::to_string(i % 7) + "e-" + std::to_string(3 + i % 5);
    const std::string node = std::to_string(7 + 7 * (i % 3));
    p.coordinates = std::string(R"({"ber":")").append(ber).append(R"(","node":")").append(node).append(R"("})");
    p.options = std::string(R"({"ber":")")
                    .append(ber)
                    .append(R"(","model":"stories260K","node":")")
                    .append(node)
                    .append(R"(","seed":")")
                    .append(std::to_string(i))
                    .append(R"("})");
    if (i % 9 == 0) {
      p.options.insert(p.options.size() - 1, std::string(R"(,"prompt":")").append(400, 'p').append("\""));
    }
    p.rank = i % 3;
    p.seconds = 0.25 * i + 1.0 / 7.0;
    p.finished_utc =
        std::string("2024-05-01T12:").append(i % 60 < 10 ? "0" : "").append(std::to_string(i % 60)).append(":00Z");
    if (i % 4 == 3) {
      p.status = "failed";
      p.exit_code = i % 8 == 3 ? 1 : 134;
      p.error = std::string("saffire eval: error: point ").append(std::to_string(i)).append(" failed\n");
    } else {
      p.status = "ok";
      p.exit_code = 0;
      p.result = std::string(R"({"perplexity":)")
                     .append(std::to_string(10 + i))
                     .append(R"(.5,"faults":)")
                     .append(std::to_string(3 * i))
                     .append(R"(,"detail":{"note":")")
                     .append(i % 9 == 0 ? std::string(2000, 'r') : std::string(R"(q\"uote\\d \u00e9)"))
                     .append(R"("}})");
    }
    out.push_back(std::move(p));
  }
  return out;
}

// `count` valid "/memory" rows: every numeric column holds a value of its own (row i, column c: 1000 (i + 1) + c for
// the integers, i + c / 64 for the floats; totals and the hit rate follow from their parts), so that two columns
// swapped by a writer or a reader change the rows read back; the models cycle through ideal, scalesim and dram (only
// dram rows name a preset and count requests); every 5th GEMM name is long.
inline std::vector<MemoryRecord> sample_memory(int count) {
  static const char* const kModels[] = {"ideal", "scalesim", "dram"};
  std::vector<MemoryRecord> out;
  for (int i = 0; i < count; ++i) {
    MemoryRecord r;
    r.gemm = std::string("L").append(std::to_string(i / 7)).append(".q.prefill.c").append(std::to_string(i));
    if (i % 5 == 0) r.gemm.append(".").append(120, 'm');
    r.model = kModels[i % 3];
    r.dram_preset = i % 3 == 2 ? (i % 2 == 0 ? "HBM2E" : "DDR4-3200") : "";
    int c = 0;
    const auto integer = [&] { return std::int64_t{1000} * (i + 1) + c++; };
    const auto real = [&] { return i + c++ / 64.0; };
    r.compute_cycles = integer(), r.stall_cycles = integer();
    r.total_cycles = r.compute_cycles + r.stall_cycles;  // the rules saffire_traces.py --check verifies
    r.sram_reads_ifmap = integer(), r.sram_reads_filter = integer(), r.sram_reads_ofmap = integer();
    r.sram_writes_ifmap = integer(), r.sram_writes_filter = integer(), r.sram_writes_ofmap = integer();
    r.dram_reads_ifmap = integer(), r.dram_reads_filter = integer(), r.dram_reads_ofmap = integer();
    r.dram_writes_ifmap = integer(), r.dram_writes_filter = integer(), r.dram_writes_ofmap = integer();
    r.dram_bytes_read = integer(), r.dram_bytes_written = integer();
    r.achieved_gbps = real();
    r.required_avg_ifmap = real(), r.required_avg_filter = real(), r.required_avg_ofmap = real();
    r.required_peak_ifmap = real(), r.required_peak_filter = real(), r.required_peak_ofmap = real();
    if (r.model == "dram") {  // only the dram model counts requests
      r.dram_row_hits = integer(), r.dram_row_misses = integer(), r.dram_row_conflicts = integer();
      r.dram_requests = r.dram_row_hits + r.dram_row_misses + r.dram_row_conflicts;
      r.row_hit_rate = static_cast<double>(r.dram_row_hits) / static_cast<double>(r.dram_requests);
    }
    r.sram_energy_pj = real(), r.dram_energy_pj = real();
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace saffire::traces::test
