#include "sim/cli/precision_options.hpp"

#include "arch/config_error.hpp"

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

std::unique_ptr<models::GemmEngine> make_float_pe_engine(const std::string& engine, sim::EngineOptions& eo,
                                                         const ArrayOptions& array, models::llm::Precision precision) {
  if (engine != "cpu" && engine != "array")
    throw ConfigError("--engine " + engine + ": floating-point PEs (--precision " +
                      std::string(models::llm::to_string(precision)) + ") run on engines cpu and array only");
  eo.array = array.resolve_with_operand(models::llm::operand_format(precision),
                                        "--precision " + std::string(models::llm::to_string(precision)));
  return sim::make_gemm_engine(engine, eo);
}

}  // namespace saffire::cli
