// The "/abft" compound type (see decision_row_type.hpp).
#include "traces/decision_row_type.hpp"

#include <array>
#include <cstddef>
#include <string>

#include "traces/compound_columns.hpp"
#include "traces/schema.hpp"

namespace saffire::traces::detail {
namespace {

using enum ColumnKind;

// The one list of columns, in file order; both compound types are built from it.
constexpr std::array kColumns = {
    Column{kDecisionColGemm, offsetof(DecisionRow, gemm), kString},
    Column{kDecisionColLayer, offsetof(DecisionRow, layer), kInt32},
    Column{kDecisionColComponent, offsetof(DecisionRow, component), kString},
    Column{kDecisionColStage, offsetof(DecisionRow, stage), kString},
    Column{kDecisionColHead, offsetof(DecisionRow, head), kInt32},
    Column{kDecisionColCallIndex, offsetof(DecisionRow, call_index), kInt64},
    Column{kDecisionColSequence, offsetof(DecisionRow, sequence), kInt32},
    Column{kDecisionColAttempt, offsetof(DecisionRow, attempt), kInt32},
    Column{kDecisionColTile, offsetof(DecisionRow, tile), kInt64},
    Column{kDecisionColScheme, offsetof(DecisionRow, scheme), kString},
    Column{kDecisionColAction, offsetof(DecisionRow, action), kString},
    Column{kDecisionColMsd, offsetof(DecisionRow, msd), kFloat64},
    Column{kDecisionColThetaMag, offsetof(DecisionRow, theta_mag), kFloat64},
    Column{kDecisionColFreq, offsetof(DecisionRow, freq), kInt64},
    Column{kDecisionColRecoveredAtNominal, offsetof(DecisionRow, recovered_at_nominal), kInt32},
};

}  // namespace

H5::CompType decision_row_memory_type() { return memory_compound(sizeof(DecisionRow), kColumns); }

H5::CompType decision_row_file_type() { return file_compound(kColumns); }

void check_decision_columns(const H5::CompType& stored, const std::filesystem::path& file) {
  check_columns(stored, kColumns, kDecisionsDataset, file);
}

DecisionRow to_row(const DecisionRecord& r) {
  return DecisionRow{r.gemm.c_str(),   r.layer,    r.component.c_str(), r.stage.c_str(), r.head,
                     r.call_index,     r.sequence, r.attempt,           r.tile,          r.scheme.c_str(),
                     r.action.c_str(), r.msd,      r.theta_mag,         r.freq,          r.recovered_at_nominal};
}

DecisionRecord from_row(const DecisionRow& row) {
  const auto str = [](const char* s) { return s != nullptr ? std::string(s) : std::string(); };
  DecisionRecord r;
  r.gemm = str(row.gemm);
  r.layer = row.layer;
  r.component = str(row.component);
  r.stage = str(row.stage);
  r.head = row.head;
  r.call_index = row.call_index;
  r.sequence = row.sequence;
  r.attempt = row.attempt;
  r.tile = row.tile;
  r.scheme = str(row.scheme);
  r.action = str(row.action);
  r.msd = row.msd;
  r.theta_mag = row.theta_mag;
  r.freq = row.freq;
  r.recovered_at_nominal = row.recovered_at_nominal;
  return r;
}

}  // namespace saffire::traces::detail
