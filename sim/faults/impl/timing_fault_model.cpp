// `timing`: the data-dependent timing errors of arch/timing at every accumulate, at the campaign's voltage.
#include <string>

#include "arch/config_error.hpp"
#include "sim/faults/impl/fault_model_makers.hpp"

namespace saffire::faults {
namespace {

class TimingFaultModel final : public FaultModel {
 public:
  explicit TimingFaultModel(std::shared_ptr<const arch::TimingModel> tm) : m_tm(std::move(tm)) {}
  std::string_view name() const override { return "timing"; }
  // An error-free operating point runs the exact kernels.
  AccumulateRule accumulate_rule() const override {
    if (m_tm->error_free()) return {};
    return m_tm.get();
  }
  std::optional<double> voltage() const override { return m_tm->config().v; }
  const arch::TimingModel* timing_model() const override { return m_tm.get(); }
  std::string to_toml() const override { return "model = \"timing\"\n\n" + arch::to_toml(m_tm->config()); }

 private:
  std::shared_ptr<const arch::TimingModel> m_tm;
};

}  // namespace

std::unique_ptr<FaultModel> make_timing_model(std::shared_ptr<const arch::TimingModel> tm) {
  if (!tm) throw std::invalid_argument("make_timing_model: no timing model");
  return std::make_unique<TimingFaultModel>(std::move(tm));
}

std::unique_ptr<FaultModel> make_timing_model(const FaultModelParams& p) {
  arch::VoltageConfig vc = p.voltage_config;
  if (p.voltage) vc.v = *p.voltage;
  try {
    vc.validate();
  } catch (const ConfigError& e) {
    throw ConfigError(std::string("--voltage: ") + e.what());
  }
  return make_timing_model(std::make_shared<const arch::TimingModel>(vc, p.array.rows, p.array.cols));
}

}  // namespace saffire::faults
