#pragma once
// Verifying array outputs against an independent reference: the naive triple loop for shapes it
// can do quickly, otherwise an exact kernel other than the one the array model used.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "models/workload/gemm_operands.hpp"

namespace saffire::models {

struct ReferenceCheck {
  bool equal = false;
  std::int64_t mismatches = 0;
  std::string reference;  // which reference computed the expected outputs
};

/// Compares y (m x n, row-major) with X * W. `model_kernel` is excluded as a reference.
ReferenceCheck check_against_reference(const GemmOperands& ops, const std::vector<std::int32_t>& y,
                                       std::string_view model_kernel, int threads);

}  // namespace saffire::models
