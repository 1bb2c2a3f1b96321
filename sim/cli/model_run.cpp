#include "sim/cli/model_run.hpp"

#include "arch/config_error.hpp"
#include "sim/cli/option_checks.hpp"
#include "sim/faults/sram_faults.hpp"
#include "sim/cli/precision_options.hpp"
#include "sim/memory/memory_model_factory.hpp"
#include "sim/memory/memory_traffic.hpp"

namespace saffire::cli {

void ModelRunOptions::add_to(CLI::App& cmd, bool with_abft) {
  cmd.add_option("--engine", engine, "GEMM engine for w8a8 and the floating-point precisions")
      ->capture_default_str()
      ->check(CLI::IsMember(sim::gemm_engine_names()));
  cmd.add_option("--precision", precision,
                 "fp32, w8a8, or every GEMM on floating-point PEs of that operand type: fp16, bf16, fp8 (= fp8-e4m3), fp8-e5m2")
      ->capture_default_str()
      ->check(CLI::IsMember(precision_names()));
  cmd.add_option("--weights", weights, "W8A8 weight scales")
      ->capture_default_str()
      ->check(CLI::IsMember({"per-channel", "per-tensor"}));
  cmd.add_option("--activations", activations, "W8A8 activation scales")
      ->capture_default_str()
      ->check(CLI::IsMember({"per-token", "per-tensor"}));
  cmd.add_flag("--fp32-attention", fp32_attention, "W8A8 and floating-point PEs: keep QK^T and PV in FP32");
  cmd.add_option("--kernel", kernel, "INT8 kernel of the cpu engine / array fold math")->capture_default_str()->check(kernel_name());
  cmd.add_option("--threads", threads, "engine threads (0 = all)")->capture_default_str()->check(thread_count());
  cmd.add_option("--fidelity", fidelity, "array engine: fold or pe")
      ->capture_default_str()
      ->check(CLI::IsMember({"fold", "pe"}));
  array.add_to(cmd, /*nominal_supply=*/true);
  add_float_pe_options(cmd, array, heal);
  memory.add_to(cmd);
  faults.add_to(cmd);
  if (with_abft) abft.add_to(cmd);
}

models::llm::InferenceOptions inference_options(const ModelRunOptions& o) {
  namespace llm = models::llm;
  llm::InferenceOptions inf;
  inf.precision = llm::parse_precision(o.precision);
  inf.quant.weights = llm::parse_weight_granularity(o.weights);
  inf.quant.activations = llm::parse_activation_granularity(o.activations);
  inf.quant.quantize_attention = !o.fp32_attention;
  inf.heal = o.heal;
  check_heal_options(inf);
  return inf;
}

ModelRun prepare_model_run(const ModelRunOptions& o, const models::llm::LanguageModel& lm, const char* command) {
  namespace llm = models::llm;
  ModelRun run;
  run.inf = inference_options(o);
  const llm::InferenceOptions& inf = run.inf;
  sim::EngineOptions& eo = run.spec.options;
  eo.kernel = o.kernel;
  eo.threads = o.threads;
  eo.fidelity = sim::parse_fidelity(o.fidelity);
  // The array's folds wait for their operands as the memory model says (--memory scalesim|dram, [memory]).
  run.memory_cfg = o.memory.resolve(o.array.config_path());
  if (llm::on_float_pes(inf.precision)) {  // the memory's words in the PEs' formats
    run.engine = make_float_pe_engine(o.engine, eo, o.array, inf.precision, &run.memory_cfg);
  } else {
    if (run.memory_cfg.model != "ideal") eo.memory = memory::make_memory_model(run.memory_cfg);
    eo.array = o.array.resolve();
  }
  if (inf.precision == llm::Precision::W8A8) require_int8_array(eo.array, command);
  run.spec.engine = o.engine;
  if (inf.precision == llm::Precision::W8A8) run.engine = sim::build_engine_stack(run.spec).engine;
  // SRAM errors ([memory] sram_voltage, --sram-voltage) are a campaign of their own or join the model's.
  const std::optional<faults::SramFaultConfig> sram = sram_fault_config(run.memory_cfg, o.faults.seed());
  run.campaign = o.faults.enabled() || sram.has_value();
  if (run.campaign) check_campaign_precision(inf, o.faults.model_name(), sram.has_value());
  // Floating-point PEs: checksums with a rounding tolerance (classic or statistical), refused before the clean run.
  if (run.campaign && o.abft.enabled() && llm::on_float_pes(inf.precision)) o.abft.resolve().validate_for_float();
  if (o.abft.enabled() && !run.campaign)
    throw ConfigError("--abft guards a fault campaign, so it needs one (--ber, --fault-model timing|table, or --sram-voltage)");
  if (run.campaign) {
    run.plan = o.faults.make_plan(eo.array, o.array.config_path(), lm.checkpoint.config().n_layers);
    if (sram) run.plan->set_sram_faults(*sram);
  }
  // The energy tables (ABFT's prices, the memory report's): a bad --tech file fails here, not after a pass.
  run.tech = o.abft.tech();
  return run;
}

sim::EngineStack build_campaign_stack(const ModelRunOptions& o, const ModelRun& run) {
  sim::EngineStackSpec spec = run.spec;
  const arch::ArrayConfig& array = spec.options.array;
  spec.plan = run.plan;
  const bool int8 = run.inf.precision == models::llm::Precision::W8A8;
  if (o.abft.enabled()) spec.abft = o.abft.resolve();
  if (o.abft.enabled() && int8) {  // energy: arch/tech prices INT8 PEs; floating-point runs report no energy
    // The table's energies hold at its characterization voltage: converted to the run's nominal supply,
    // the reference of the energy model (dynamic energy ~ (V / v_nominal)^2, leakage ~ V / v_nominal).
    const double v_nominal = array.v_nominal;
    // The memory system in its own domains: each GEMM's traffic from the memory model ([memory] of
    // --config, --memory ...), the SRAM at its supply, the DRAM at its standard's.
    const memory::MemoryConfig& mem_cfg = run.memory_cfg;
    std::shared_ptr<const memory::MemoryModel> mem_model = memory::make_memory_model(mem_cfg);
    arch::MemoryPricing pricing;
    pricing.traffic = [mem_model, mem_cfg, array](std::int64_t m, std::int64_t n, std::int64_t k) {
      return memory::memory_traffic(mem_cfg, mem_model->simulate(array, {m, n, k}), array);
    };
    pricing.dram = arch::dram_energy(mem_cfg.dram_energy_standard(), mem_cfg.where("dram_energy"));
    pricing.v_memory = mem_cfg.sram_supply(v_nominal);
    spec.energy = sim::StackEnergy{arch::at_voltage(run.tech, v_nominal),
                                   FaultOptions::supply_voltage(*run.plan, array), v_nominal, pricing};
  }
  // ReaLM's clamp is a rule of INT8 re-quantization: floating-point outputs are not re-quantized.
  spec.realm_clamp = o.faults.realm_clamp() && int8;
  spec.granularity = run.inf.quant.activations;
  return sim::build_engine_stack(spec);
}

nlohmann::json abft_report_json(const abft::AbftEngine& abft, std::int64_t tokens, bool with_energy) {
  const abft::AbftTotals& t = abft.totals();
  nlohmann::json per_component = nlohmann::json::object();
  for (int c = 0; c < models::kNumComponents; ++c) {
    const abft::AbftTotals& ct = abft.totals(static_cast<models::Component>(c));
    if (ct.scopes == 0) continue;
    per_component[std::string(models::to_string(static_cast<models::Component>(c)))] = {
        {"scopes", ct.scopes}, {"flagged", ct.flagged}, {"recomputed", ct.recomputed}};
  }
  const auto ratio = [](std::int64_t a, std::int64_t b) {
    return b > 0 ? static_cast<double>(a) / static_cast<double>(b) : 0.0;
  };
  nlohmann::json j = {{"scheme", std::string(abft.policy().name())},
                      {"gemms", t.gemms},
                      {"scopes", t.scopes},
                      {"flagged", t.flagged},
                      {"recomputed", t.recomputed},
                      {"recompute_rate", ratio(t.recomputed, t.scopes)},
                      {"retries", t.retries},
                      {"nominal_fallbacks", t.nominal},
                      {"corrected_words", t.corrected_words},
                      {"dropped_macs", t.dropped_macs},
                      {"macs", t.macs},
                      {"recomputed_macs", t.recomputed_macs},
                      {"recomputed_mac_fraction", ratio(t.recomputed_macs, t.macs)},
                      {"cycles", t.cycles},
                      {"recomputed_cycles", t.recomputed_cycles},
                      {"recompute_cycle_overhead", ratio(t.recomputed_cycles, t.cycles)},
                      {"remapped_columns", abft.remapped_columns()},
                      {"remap_cycles", t.remap_cycles},
                      {"components", per_component}};
  if (!with_energy) return j;
  const abft::AbftEnergy& e = abft.energy();
  j.update({{"energy_pj", e.total},
            {"energy_per_token_pj", tokens > 0 ? e.total / static_cast<double>(tokens) : 0.0},
            {"detection_energy_pj", e.detection},
            {"recovery_energy_pj", e.recovery},
            {"nominal_energy_pj", e.nominal},
            {"energy_saving", e.nominal > 0 ? 1.0 - e.total / e.nominal : 0.0},
            {"compute_energy_pj", e.compute},
            {"sram_energy_pj", e.sram},
            {"dram_energy_pj", e.dram},
            {"compute_saving", e.nominal_compute > 0 ? 1.0 - e.compute / e.nominal_compute : 0.0}});
  return j;
}

}  // namespace saffire::cli
