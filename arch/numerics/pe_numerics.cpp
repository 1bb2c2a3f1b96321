#include "arch/numerics/pe_numerics.hpp"

#include "arch/config_error.hpp"

namespace saffire::arch {

void PeNumerics::validate(const std::string& prefix) const {
  const auto name = [](NumberFormat f) { return std::string(to_string(f)); };
  const bool int_operand = operand == NumberFormat::Int8 || operand == NumberFormat::Int16;
  if (operand == NumberFormat::Int32 || operand == NumberFormat::Fp32)
    throw ConfigError(prefix + "operand_type: " + name(operand) +
                      " multipliers are not modelled (expected int8, int16, fp16, bf16, fp8-e4m3 or fp8-e5m2)");
  if (accumulator == NumberFormat::Int8 || accumulator == NumberFormat::Int16 || info(accumulator).bits == 8)
    throw ConfigError(prefix + "accumulator_type: " + name(accumulator) +
                      " accumulators are not modelled (expected int32, fp32, fp16 or bf16)");
  if (int_operand && accumulator != NumberFormat::Int32)
    throw ConfigError(prefix + "accumulator_type: " + name(operand) + " operands need an int32 accumulator, got " +
                      name(accumulator) + " (integer arrays accumulate exactly)");
  if (!int_operand && accumulator == NumberFormat::Int32)
    throw ConfigError(prefix + "accumulator_type: " + name(operand) +
                      " operands need a floating-point accumulator (fp32, fp16 or bf16), got int32");
  if (info(output_buffer).is_float != info(accumulator).is_float || output_buffer == NumberFormat::Int8 ||
      output_buffer == NumberFormat::Int16 || info(output_buffer).bits == 8)
    throw ConfigError(prefix + "output_buffer_type: " + name(output_buffer) + " does not fit a " + name(accumulator) +
                      " accumulator (expected " + (is_float() ? "fp32, fp16 or bf16" : "int32") + ")");
}

std::string describe(const PeNumerics& n) {
  std::string s = std::string(to_string(n.operand)) + " x " + std::string(to_string(n.operand)) + " -> " +
                  std::string(to_string(n.accumulator));
  if (n.is_float()) s += n.fma ? " (fused multiply-add)" : " (multiply, then add)";
  s += ", output buffer " + std::string(to_string(n.output_buffer));
  return s;
}

}  // namespace saffire::arch
