#include "models/workload/gemm_reference.hpp"

#include "models/gemm/int8_gemm.hpp"

namespace saffire::models {

ReferenceCheck check_against_reference(const GemmOperands& ops, const std::vector<std::int32_t>& y,
                                       std::string_view model_kernel, int threads) {
  const auto& s = ops.shape;
  std::vector<std::int32_t> expected(static_cast<std::size_t>(s.m * s.n));
  const models::Int8GemmArgs args{s.m, s.n, s.k, ops.x.data(), s.k, ops.w.data(), s.n, expected.data(), s.n, false};
  ReferenceCheck check;
  constexpr std::int64_t kNaiveLimit = std::int64_t{1} << 28;  // ~0.3 s of naive loop
  if (s.macs() <= kNaiveLimit) {
    models::naive_int8_gemm(args);
    check.reference = "naive";
  } else {
    std::string pick;
    for (const auto& name : models::int8_gemm_kernel_names())
      if (name != model_kernel && name != "naive") { pick = name; break; }
    if (pick.empty()) pick = "naive";
    models::make_int8_gemm_kernel(pick)->run(args, threads);
    check.reference = pick;
  }
  for (std::size_t i = 0; i < expected.size(); ++i) check.mismatches += expected[i] != y[i];
  check.equal = check.mismatches == 0;
  return check;
}

}  // namespace saffire::models
