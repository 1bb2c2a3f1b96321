#include "sim/cli/array_totals_json.hpp"

#include <string>

#include "sim/array_engine.hpp"

namespace saffire::cli {

void add_array_totals(nlohmann::json& j, const models::GemmEngine* engine) {
  const auto* array = dynamic_cast<const sim::ArrayGemmEngine*>(engine);
  if (array == nullptr) return;
  j["array_gemms"] = array->totals().gemms;
  j["array_cycles"] = array->totals().cycles;
  j["array_macs"] = array->totals().macs;
  nlohmann::json parts = nlohmann::json::object();
  for (int c = 0; c < models::kNumComponents; ++c) {
    sim::ArrayEngineTotals sum;
    for (models::Stage s : {models::Stage::Prefill, models::Stage::Decode}) {
      const sim::ArrayEngineTotals& t = array->totals(static_cast<models::Component>(c), s);
      sum.gemms += t.gemms, sum.cycles += t.cycles, sum.macs += t.macs;
    }
    if (sum.gemms == 0) continue;
    parts[std::string(models::to_string(static_cast<models::Component>(c)))] = {
        {"gemms", sum.gemms}, {"cycles", sum.cycles}, {"macs", sum.macs}};
  }
  j["array_components"] = parts;
}

}  // namespace saffire::cli
