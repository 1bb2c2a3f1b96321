#pragma once
// The HDF5 trace of a model's fault campaign (eval --trace, tasks --trace): the run's attributes (the array, the
// command's own settings, the campaign's [faults] with its seed, and with ABFT its [abft], [tech] and supply), one
// /faults row per injected fault with its hardware address, and one /abft row per detection decision.
#include <filesystem>
#include <string>
#include <vector>

#include "abft/engine/abft_engine.hpp"
#include "arch/array_config.hpp"
#include "sim/cli/model_run.hpp"
#include "sim/faults/fault_plan.hpp"
#include "traces/trace_writer.hpp"

namespace saffire::cli {

/// Creates the trace at `path` before the campaign runs (a bad path fails before the long run). `settings_toml`
/// is the command's own table (e.g. "[eval]\n..."); `found_inputs` are the data files the command found itself
/// (default model files), recorded by reference. `run` has a campaign (its plan, array and tech table).
traces::TraceWriter open_campaign_trace(const std::string& path, const char* command, const std::string& settings_toml,
                                        const ModelRunOptions& o, const ModelRun& run,
                                        const std::vector<std::filesystem::path>& found_inputs);

/// Appends one /faults row per fault the plan logged, with its hardware address.
void write_fault_rows(traces::TraceWriter& writer, const arch::ArrayConfig& array, const faults::FaultPlan& plan);

/// Appends one /abft row per detection decision the ABFT engine recorded.
void write_decision_rows(traces::TraceWriter& writer, const abft::AbftEngine& abft);

}  // namespace saffire::cli
