// `stuck-at`: permanent faults, chosen bits of chosen PEs stuck at 0 or 1 (sim/faults/stuck_at.hpp).
#include <fmt/core.h>

#include "arch/config_error.hpp"
#include "sim/faults/impl/fault_model_makers.hpp"

namespace saffire::faults {
namespace {

class StuckAtModel final : public FaultModel {
 public:
  explicit StuckAtModel(StuckAtMap map) : m_map(std::move(map)) {}
  std::string_view name() const override { return "stuck-at"; }
  AccumulateRule accumulate_rule() const override {
    if (m_map.empty()) return {};
    return &m_map;
  }
  // The resolved list (whatever its sources), so a trace replays the same PEs.
  std::string to_toml() const override {
    std::string out = fmt::format("model = \"stuck-at\"\nrows = {}\ncols = {}\nstuck = [", m_map.rows(), m_map.cols());
    for (std::size_t i = 0; i < m_map.bits().size(); ++i) {
      const StuckBit& s = m_map.bits()[i];
      out += fmt::format("{}[{}, {}, {}, {}]", i ? ", " : "", s.row, s.col, s.bit, s.value);
    }
    return out + "]  # [row, col, bit, value]\n";
  }

 private:
  StuckAtMap m_map;
};

}  // namespace

std::unique_ptr<FaultModel> make_stuck_at_model(const FaultModelParams& p) {
  std::vector<StuckBit> bits = p.stuck;
  std::string origin = "--stuck";
  if (!p.stuck_file.empty()) {
    const std::vector<StuckBit> from_file = read_stuck_csv(p.stuck_file);
    bits.insert(bits.end(), from_file.begin(), from_file.end());
    origin = p.stuck.empty() ? p.stuck_file.string() : "--stuck and " + p.stuck_file.string();
  }
  if (p.stuck_fraction) {
    const std::vector<StuckBit> drawn =
        random_stuck_bits(static_cast<int>(p.array.rows), static_cast<int>(p.array.cols), *p.stuck_fraction, p.seed);
    bits.insert(bits.end(), drawn.begin(), drawn.end());
  }
  if (p.stuck.empty() && p.stuck_file.empty() && !p.stuck_fraction)
    throw ConfigError("--fault-model stuck-at needs --stuck ROW,COL,BIT,VALUE, --stuck-file F.csv or --stuck-fraction P");
  return std::make_unique<StuckAtModel>(
      StuckAtMap(static_cast<int>(p.array.rows), static_cast<int>(p.array.cols), std::move(bits), origin));
}

}  // namespace saffire::faults
