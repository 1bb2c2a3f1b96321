// Writes the sample trace FILE and FILE.expected.json holding the same values, so that a reader in
// another language (tests/traces/test_python_reader.py) can check it reads exactly what was written.
#include <cstddef>
#include <exception>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "tests/traces/sample_records.hpp"
#include "traces/trace_writer.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: write_sample_trace FILE.h5\n";
    return 2;
  }
  namespace tr = saffire::traces;
  try {
    const tr::RunInfo info = tr::test::sample_run_info_with_command();
    const auto gemms = tr::test::sample_gemms(70);  // more than one 64-row chunk
    tr::TraceWriter writer(argv[1], info);
    nlohmann::json expected;
    expected["run"] = {{"command", info.command},
                       {"config_toml", info.config_toml},
                       {"seed", info.seed},
                       {"saffire_version", info.saffire_version},
                       {"created_utc", info.created_utc}};
    // The command record (schema version 5); contents as hex, as JSON has no byte strings.
    expected["command_line"] = info.argv;
    expected["cwd"] = info.cwd;
    expected["inputs"] = nlohmann::json::array();
    for (const tr::InputFile& in : info.inputs) {
      std::string hex;
      for (const char c : in.content) {
        static const char* const kDigits = "0123456789abcdef";
        hex += kDigits[static_cast<unsigned char>(c) >> 4];
        hex += kDigits[static_cast<unsigned char>(c) & 15];
      }
      expected["inputs"].push_back({{"path", in.path},
                                    {"resolved", in.resolved},
                                    {"source", in.source},
                                    {"size", in.size},
                                    {"hash", in.hash},
                                    {"embedded", in.embedded},
                                    {"content_hex", in.embedded ? nlohmann::json(hex) : nlohmann::json()}});
    }
    expected["gemms"] = nlohmann::json::array();
    for (const tr::GemmRecord& g : gemms) {
      writer.append_gemm(g);
      expected["gemms"].push_back({{"name", g.name},
                                   {"m", g.m},
                                   {"n", g.n},
                                   {"k", g.k},
                                   {"dataflow", g.dataflow},
                                   {"rows", g.rows},
                                   {"cols", g.cols},
                                   {"cycles", g.cycles},
                                   {"macs", g.macs},
                                   {"utilization", g.utilization},
                                   {"mapping_efficiency", g.mapping_efficiency},
                                   {"fidelity", g.fidelity},
                                   {"host_seconds", g.host_seconds}});
    }
    // Faults in two batches, the second crossing a chunk boundary.
    const auto faults = tr::test::sample_faults(1100);
    writer.append_faults({faults.begin(), faults.begin() + 30});
    writer.append_faults({faults.begin() + 30, faults.end()});
    expected["faults"] = nlohmann::json::array();
    for (const tr::FaultRecord& f : faults) {
      expected["faults"].push_back({{"gemm", f.gemm},
                                    {"layer", f.layer},
                                    {"component", f.component},
                                    {"stage", f.stage},
                                    {"head", f.head},
                                    {"call_index", f.call_index},
                                    {"sequence", f.sequence},
                                    {"m", f.m},
                                    {"n", f.n},
                                    {"pe_row", f.pe_row},
                                    {"pe_col", f.pe_col},
                                    {"fold", f.fold},
                                    {"cycle", f.cycle},
                                    {"bit", f.bit},
                                    {"before", f.before},
                                    {"after", f.after},
                                    {"delta", f.delta}});
    }
    // Decisions in two batches, the second crossing a chunk boundary.
    const auto decisions = tr::test::sample_decisions(1030);
    writer.append_decisions({decisions.begin(), decisions.begin() + 9});
    writer.append_decisions({decisions.begin() + 9, decisions.end()});
    expected["decisions"] = nlohmann::json::array();
    for (const tr::DecisionRecord& d : decisions) {
      expected["decisions"].push_back({{"gemm", d.gemm},
                                       {"layer", d.layer},
                                       {"component", d.component},
                                       {"stage", d.stage},
                                       {"head", d.head},
                                       {"call_index", d.call_index},
                                       {"sequence", d.sequence},
                                       {"attempt", d.attempt},
                                       {"tile", d.tile},
                                       {"scheme", d.scheme},
                                       {"action", d.action},
                                       {"msd", d.msd},
                                       {"theta_mag", d.theta_mag},
                                       {"freq", d.freq},
                                       {"recovered_at_nominal", d.recovered_at_nominal}});
    }
    // Points: 50 one at a time (as a sweep appends them), then the writer is closed and the trace
    // reopened with TraceWriter::append (as a resumed sweep does) for 20 more, across a chunk boundary.
    const auto points = tr::test::sample_points(70);
    for (std::size_t i = 0; i < 50; ++i) {
      writer.append_points({points[i]});
    }
    writer.close();
    tr::TraceWriter resumed = tr::TraceWriter::append(argv[1]);
    resumed.append_points({points.begin() + 50, points.end()});
    resumed.close();
    expected["points"] = nlohmann::json::array();
    for (const tr::PointRecord& p : points) {
      expected["points"].push_back({{"key", p.key},
                                    {"command", p.command},
                                    {"options", p.options},
                                    {"coordinates", p.coordinates},
                                    {"status", p.status},
                                    {"exit_code", p.exit_code},
                                    {"seconds", p.seconds},
                                    {"rank", p.rank},
                                    {"finished_utc", p.finished_utc},
                                    {"result", p.result},
                                    {"error", p.error}});
    }
    // Memory rows (schema version 6): 70, in two batches across a chunk boundary, the second after the resume.
    const auto memory = tr::test::sample_memory(70);
    {
      tr::TraceWriter again = tr::TraceWriter::append(argv[1]);
      again.append_memory({memory.begin(), memory.begin() + 40});
      again.append_memory({memory.begin() + 40, memory.end()});
    }
    expected["memory"] = nlohmann::json::array();
    for (const tr::MemoryRecord& m : memory) {
      expected["memory"].push_back({{"gemm", m.gemm},
                                    {"model", m.model},
                                    {"dram_preset", m.dram_preset},
                                    {"compute_cycles", m.compute_cycles},
                                    {"stall_cycles", m.stall_cycles},
                                    {"total_cycles", m.total_cycles},
                                    {"sram_reads_ifmap", m.sram_reads_ifmap},
                                    {"sram_reads_filter", m.sram_reads_filter},
                                    {"sram_reads_ofmap", m.sram_reads_ofmap},
                                    {"sram_writes_ifmap", m.sram_writes_ifmap},
                                    {"sram_writes_filter", m.sram_writes_filter},
                                    {"sram_writes_ofmap", m.sram_writes_ofmap},
                                    {"dram_reads_ifmap", m.dram_reads_ifmap},
                                    {"dram_reads_filter", m.dram_reads_filter},
                                    {"dram_reads_ofmap", m.dram_reads_ofmap},
                                    {"dram_writes_ifmap", m.dram_writes_ifmap},
                                    {"dram_writes_filter", m.dram_writes_filter},
                                    {"dram_writes_ofmap", m.dram_writes_ofmap},
                                    {"dram_bytes_read", m.dram_bytes_read},
                                    {"dram_bytes_written", m.dram_bytes_written},
                                    {"achieved_gbps", m.achieved_gbps},
                                    {"required_avg_ifmap", m.required_avg_ifmap},
                                    {"required_avg_filter", m.required_avg_filter},
                                    {"required_avg_ofmap", m.required_avg_ofmap},
                                    {"required_peak_ifmap", m.required_peak_ifmap},
                                    {"required_peak_filter", m.required_peak_filter},
                                    {"required_peak_ofmap", m.required_peak_ofmap},
                                    {"dram_requests", m.dram_requests},
                                    {"dram_row_hits", m.dram_row_hits},
                                    {"dram_row_misses", m.dram_row_misses},
                                    {"dram_row_conflicts", m.dram_row_conflicts},
                                    {"row_hit_rate", m.row_hit_rate},
                                    {"sram_energy_pj", m.sram_energy_pj},
                                    {"dram_energy_pj", m.dram_energy_pj}});
    }
    std::ofstream(std::string(argv[1]) + ".expected.json") << expected.dump(1) << "\n";
  } catch (const std::exception& e) {
    std::cerr << "write_sample_trace: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
