// `table`: per-bit flip probabilities of the user's characterization at the campaign's voltage.
#include <fmt/core.h>

#include "arch/config_error.hpp"
#include "sim/faults/bit_error_table.hpp"
#include "sim/faults/impl/fault_model_makers.hpp"

namespace saffire::faults {
namespace {

class TableModel final : public FaultModel {
 public:
  TableModel(const BitflipConfig& cfg, double voltage, std::string table)
      : m_cfg(cfg), m_voltage(voltage), m_table(std::move(table)) {}
  std::string_view name() const override { return "table"; }
  std::vector<arch::OutputFault> output_faults(std::uint64_t gemm_key, std::int64_t m, std::int64_t n) const override {
    return sample_output_faults(m_cfg, gemm_key, m, n);
  }
  std::optional<double> voltage() const override { return m_voltage; }
  std::string to_toml() const override {
    return fmt::format("model = \"table\"\nber = {:e}\nbit_lo = {}\nbit_hi = {}\nvoltage = {}\ntable = \"{}\"\n", m_cfg.ber,
                       m_cfg.bit_lo, m_cfg.bit_hi, m_voltage, m_table);
  }

 private:
  BitflipConfig m_cfg;
  double m_voltage;
  std::string m_table;
};

}  // namespace

std::unique_ptr<FaultModel> make_table_model(const FaultModelParams& p) {
  if (p.table.empty()) throw ConfigError("--fault-model table needs --fault-table FILE.csv");
  if (!p.voltage) throw ConfigError("--fault-model table needs --voltage");
  const BitflipConfig cfg = BitErrorTable::load(p.table).bitflip_config(*p.voltage, p.seed);
  return std::make_unique<TableModel>(cfg, *p.voltage, p.table.string());
}

}  // namespace saffire::faults
