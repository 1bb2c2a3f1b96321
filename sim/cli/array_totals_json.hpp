#pragma once
// The array engine's work in a model run's --json report: GEMMs, busy cycles and MACs, in total and per
// GEMM component (the split that prices INT16 attention products apart from the floating-point GEMMs).
#include <nlohmann/json.hpp>

#include "models/engine/gemm_engine.hpp"

namespace saffire::cli {

/// Adds "array_gemms", "array_cycles", "array_macs" and "array_components" {component: {gemms, cycles, macs}}
/// to j when `engine` is the array engine; nothing otherwise.
void add_array_totals(nlohmann::json& j, const models::GemmEngine* engine);

}  // namespace saffire::cli
