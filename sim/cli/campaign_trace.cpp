#include "sim/cli/campaign_trace.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cstdint>

#include "abft/abft_config.hpp"
#include "arch/array_config_file.hpp"
#include "arch/fault_site.hpp"
#include "arch/tech/tech_table.hpp"
#include "sim/cli/abft_options.hpp"
#include "sim/cli/fault_options.hpp"
#include "sim/cli/run_record.hpp"

namespace saffire::cli {
namespace {

// The [faults] text of the campaign with its seed and description added to the [faults] table
// itself (FaultOptions::to_toml may end with another table, e.g. the timing model's [voltage]).
std::string faults_toml(const ModelRunOptions& o, const arch::ArrayConfig& array) {
  const std::uint64_t seed = o.faults.seed();
  const std::string keys = fmt::format(
      "seed = {}\ncampaign = {}\n",
      // TOML integers are signed 64-bit: a larger seed is written as a string
      seed <= static_cast<std::uint64_t>(INT64_MAX) ? std::to_string(seed) : toml_string(std::to_string(seed)),
      toml_string(o.faults.describe(o.precision == "w8a8")));
  std::string text = o.faults.to_toml(array, o.array.config_path());
  const auto header = text.find("[faults]\n");
  const auto next = header == std::string::npos ? std::string::npos : text.find("\n[", header);
  if (next == std::string::npos) return text + keys;
  return text.insert(next + 1, keys + "\n");
}

}  // namespace

traces::TraceWriter open_campaign_trace(const std::string& path, const char* command, const std::string& settings_toml,
                                        const ModelRunOptions& o, const ModelRun& run,
                                        const std::vector<std::filesystem::path>& found_inputs) {
  const arch::ArrayConfig& array = run.eo().array;
  traces::RunInfo info;
  info.command = command;
  info.config_toml = arch::to_toml(array) + "\n" + settings_toml + faults_toml(o, array);
  if (o.abft.enabled()) {
    // [tech] as characterized (v_characterized); energy converts it to [arch] v_nominal, the nominal
    // supply recorded once, in [arch]; [energy] voltage is the array's supply.
    info.config_toml += "\n" + abft::to_toml(o.abft.resolve()) + "\n" + arch::to_toml(run.tech) +
                        fmt::format("\n[energy]\nvoltage = {}\n", FaultOptions::supply_voltage(*run.plan, array));
  }
  info.seed = o.faults.seed();
  info.saffire_version = SAFFIRE_VERSION;
  for (const std::filesystem::path& p : found_inputs) note_found_input(p);
  stamp_run_info(info);
  return traces::TraceWriter(path, info);
}

// Appends one /faults row per fault the plan logged, with its hardware address.
void write_fault_rows(traces::TraceWriter& writer, const arch::ArrayConfig& array, const faults::FaultPlan& plan) {
  std::vector<traces::FaultRecord> rows;
  for (const faults::LoggedFault& lf : plan.log()) {
    const models::GemmId& id = lf.gemm;
    const std::int64_t k = std::max<std::int64_t>(lf.k, 1);
    const std::int64_t step = lf.step >= 0 ? lf.step : k - 1;
    const arch::HardwareSite h =
        arch::map_to_hardware(array, {lf.gemm_m, lf.gemm_n, k}, {lf.fault.m, lf.fault.n, step});
    traces::FaultRecord r;
    r.gemm = models::to_string(id);
    r.layer = id.layer;
    r.component = std::string(models::to_string(id.component));
    r.stage = std::string(models::to_string(id.stage));
    r.head = id.head;
    r.call_index = id.call_index;
    r.sequence = id.sequence;
    r.m = lf.fault.m;
    r.n = lf.fault.n;
    r.pe_row = h.pe_row;
    r.pe_col = h.pe_col;
    r.fold = h.fold;
    r.cycle = h.cycle;
    r.bit = lf.fault.bit;
    r.before = lf.values.before;
    r.after = lf.values.after;
    r.delta = static_cast<std::int64_t>(r.after) - r.before;
    rows.push_back(std::move(r));
  }
  writer.append_faults(rows);
}

// Appends one /abft row per detection decision the ABFT engine recorded.
void write_decision_rows(traces::TraceWriter& writer, const abft::AbftEngine& abft) {
  std::vector<traces::DecisionRecord> rows;
  rows.reserve(abft.records().size());
  for (const abft::AbftRecord& a : abft.records()) {
    traces::DecisionRecord r;
    r.gemm = models::to_string(a.gemm);
    r.layer = a.gemm.layer;
    r.component = std::string(models::to_string(a.gemm.component));
    r.stage = std::string(models::to_string(a.gemm.stage));
    r.head = a.gemm.head;
    r.call_index = a.gemm.call_index;
    r.sequence = a.gemm.sequence;
    r.attempt = a.attempt;
    r.tile = a.tile;
    r.scheme = std::string(abft.policy().name());
    r.action = std::string(abft::to_string(a.action));
    r.msd = a.msd;
    r.theta_mag = a.theta_mag;
    r.freq = a.freq;
    r.recovered_at_nominal = a.recovered_at_nominal ? 1 : 0;
    rows.push_back(std::move(r));
  }
  writer.append_decisions(rows);
}

}  // namespace saffire::cli
