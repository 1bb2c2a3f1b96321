#pragma once
// FaultModel: the seam between a fault model and the engines. A model says what happens at the PE
// accumulators, in one of two forms the engines know how to run fast:
//  - output-word faults: a list of (m, n, bit) flips of one GEMM, landing in the accumulate of the
//    last reduction step (bitflip, table); sampled per GEMM, a pure function of the GEMM's key;
//  - an accumulate rule applied at every accumulate of the array (timing, stuck-at): a variant of
//    concrete, non-virtual rule types, so an engine dispatches on it once per GEMM or fold (std::visit)
//    and the per-MAC code is inlined. Never a virtual call per MAC.
// A model may also carry a supply voltage (timing, table) and always describes itself as TOML.
//
// Adding a model: one file in impl/ (a class deriving from FaultModel and a make_<name> function),
// one row in fault_model_factory.cpp naming it and the command-line options it takes, its test.
// A new accumulate-level behaviour also adds an alternative to AccumulateRule and its walk in
// accumulate_fold_math and the PE-level module.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "arch/fault_site.hpp"
#include "arch/timing/timing_model.hpp"

namespace saffire::faults {

class StuckAtMap;

/// What every accumulate of the array is subject to. monostate: nothing (exact accumulates).
using AccumulateRule = std::variant<std::monostate, const arch::TimingModel*, const StuckAtMap*>;
inline bool has_rule(const AccumulateRule& r) { return !std::holds_alternative<std::monostate>(r); }

class FaultModel {
 public:
  virtual ~FaultModel() = default;
  /// The factory name ("bitflip", "table", "timing", "stuck-at").
  virtual std::string_view name() const = 0;
  /// Output-word faults of one (m x n) GEMM whose identity hashes to `gemm_key`, row-major; a pure
  /// function of its arguments (the same on every engine and thread count). Default: none.
  virtual std::vector<arch::OutputFault> output_faults(std::uint64_t /*gemm_key*/, std::int64_t /*m*/,
                                                       std::int64_t /*n*/) const {
    return {};
  }
  /// The rule at every accumulate; monostate when the model has none or cannot fail here (an
  /// error-free operating point). Pointers stay valid as long as the model.
  virtual AccumulateRule accumulate_rule() const { return {}; }
  /// The array's supply voltage the faults belong to (timing, table), if the model has one.
  virtual std::optional<double> voltage() const { return std::nullopt; }
  /// The timing model, for models that have one (the ABFT engine's exposed checksum units copy it).
  virtual const arch::TimingModel* timing_model() const { return nullptr; }
  /// The resolved settings: TOML key lines of a [faults] table, `model = "<name>"` first.
  virtual std::string to_toml() const = 0;
};

}  // namespace saffire::faults
