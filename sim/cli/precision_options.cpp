#include "sim/cli/precision_options.hpp"

#include <fmt/core.h>

#include "arch/config_error.hpp"
#include "arch/numerics/number_format.hpp"
#include "sim/memory/memory_model_factory.hpp"

namespace saffire::cli {

std::vector<std::string> precision_names() { return {"fp32", "w8a8", "fp16", "bf16", "fp8", "fp8-e4m3", "fp8-e5m2"}; }

void add_float_pe_options(CLI::App& cmd, ArrayOptions& array, models::llm::HealOptions& heal) {
  array.add_numeric_types_to(cmd);
  cmd.add_flag("--int16-qkv", heal.int16_qkv,
               "HEAL: Q, K, V (and P) quantized to INT16, QK^T and PV as exact INT16 x INT16 -> INT32 products");
  cmd.add_flag("--compensated", heal.compensated,
               "HEAL: every other GEMM as three on the array, FP32 operands split into high and low parts of the "
               "operand type: hi*hi + (hi*lo + lo*hi)");
}

void check_heal_options(const models::llm::InferenceOptions& inf) {
  if (models::llm::on_float_pes(inf.precision)) return;
  const std::string p(models::llm::to_string(inf.precision));
  if (inf.heal.int16_qkv)
    throw ConfigError("--int16-qkv: HEAL's mitigations need floating-point PEs (--precision fp16|bf16|fp8), not " + p);
  if (inf.heal.compensated)
    throw ConfigError("--compensated: HEAL's mitigations need floating-point PEs (--precision fp16|bf16|fp8), not " + p);
}

void check_campaign_precision(const models::llm::InferenceOptions& inf, const std::string& fault_model,
                              bool sram_faults) {
  namespace llm = models::llm;
  const std::string p(llm::to_string(inf.precision));
  if (inf.precision == llm::Precision::FP32)
    throw ConfigError("fault campaigns inject into the PEs, so they need --precision w8a8 or floating-point PEs "
                      "(fp16, bf16, fp8, fp8-e5m2), not fp32");
  if (!llm::on_float_pes(inf.precision)) return;
  if (fault_model == "stuck-at")
    throw ConfigError("--fault-model stuck-at: stuck bits of INT32 accumulators run on INT8 arrays (--precision "
                      "w8a8); floating-point PEs (--precision " + p + ") take bitflip, table and timing");
  if (sram_faults)
    throw ConfigError("--sram-voltage ([memory] sram_voltage): SRAM errors flip bits of stored INT8 operands "
                      "(--precision w8a8), not of " + p + " operands");
  if (inf.heal.int16_qkv)
    throw ConfigError("--int16-qkv: a fault campaign on floating-point PEs runs every GEMM in the array's own "
                      "formats; the INT16 attention products are another design");
  if (inf.heal.compensated)
    throw ConfigError("--compensated: a fault campaign on floating-point PEs gives each GEMM one fault site set; "
                      "the compensated GEMM's three array GEMMs would share it");
}

void set_float_pe_words(memory::MemoryConfig& cfg, const arch::PeNumerics& numerics, const std::string& what) {
  const auto set = [&](int& field, const char* key, arch::NumberFormat f) {
    const int bytes = arch::info(f).bits / 8;
    if (cfg.origin.count(key) && field != bytes)
      throw ConfigError(fmt::format("{}: {} words are {} bytes under {}, not {}", cfg.where(key), arch::to_string(f),
                                    bytes, what, field));
    field = bytes;
  };
  set(cfg.input_word_bytes, "input_word_bytes", numerics.operand);
  set(cfg.output_word_bytes, "output_word_bytes", numerics.output_buffer);
}

std::unique_ptr<models::GemmEngine> make_float_pe_engine(const std::string& engine, sim::EngineOptions& eo,
                                                         const ArrayOptions& array, models::llm::Precision precision,
                                                         memory::MemoryConfig* memory) {
  const std::string what = "--precision " + std::string(models::llm::to_string(precision));
  if (engine != "cpu" && engine != "array")
    throw ConfigError("--engine " + engine + ": floating-point PEs (" + what + ") run on engines cpu and array only");
  eo.array = array.resolve_with_operand(models::llm::operand_format(precision), what);
  if (memory) {
    set_float_pe_words(*memory, eo.array.numerics, what);
    eo.memory = memory->model == "ideal" ? nullptr : memory::make_memory_model(*memory);
  }
  return sim::make_gemm_engine(engine, eo);
}

}  // namespace saffire::cli
