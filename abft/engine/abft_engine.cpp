#include "abft/engine/abft_engine.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <utility>

#include "abft/fp_checksum.hpp"
#include "abft/fp_detection.hpp"
#include "abft/recover/impl/recoveries.hpp"
#include "arch/config_error.hpp"
#include "arch/fold_plan.hpp"

namespace saffire::abft {
namespace {

// The sub-GEMM of output rows [m0, m1) and columns [n0, n1) (Int8GemmArgs or NumericGemmArgs).
template <typename Args>
Args region_of(const Args& a, std::int64_t m0, std::int64_t m1, std::int64_t n0, std::int64_t n1) {
  Args sub = a;
  sub.m = m1 - m0;
  sub.n = n1 - n0;
  sub.x = a.x + m0 * a.ldx;
  sub.w = a.w + n0;
  sub.y = a.y + m0 * a.ldy + n0;
  return sub;
}

// What count_recompute reads of a region: its shape.
models::Int8GemmArgs shape_of(const models::NumericGemmArgs& a) {
  models::Int8GemmArgs s;
  s.m = a.m;
  s.n = a.n;
  s.k = a.k;
  return s;
}

}  // namespace

AbftEngine::AbftEngine(std::unique_ptr<models::GemmEngine> faulty, std::unique_ptr<models::GemmEngine> clean,
                       std::shared_ptr<faults::FaultPlan> plan, const arch::ArrayConfig& array, const abft::AbftConfig& cfg)
    : m_faulty(std::move(faulty)),
      m_clean(std::move(clean)),
      m_plan(std::move(plan)),
      m_array(array),
      m_cfg(cfg),
      m_policy(abft::make_detection_policy(cfg)),
      m_correct(make_recovery(Action::Correct, cfg)),
      m_drop(make_recovery(Action::DropFaultyMacs, cfg)),
      m_recompute(make_recovery(Action::Recompute, cfg)) {
  if (!m_faulty || !m_clean || !m_plan) throw std::invalid_argument("AbftEngine: faulty, clean engine and plan needed");
  m_array.validate();
  if (m_array.numerics.is_float()) {  // classic or statistical, and none of the INT8 path's extras, before the first GEMM
    m_cfg.validate_for_float();
    if (m_cfg.remap_after > 0)
      throw ConfigError("abft.remap_after: remapping PE columns follows permanent faults of INT8 arrays; floating-point "
                        "PEs (" + arch::describe(m_array.numerics) + ") take no stuck-at faults");
    if (m_cfg.checksums_exposed)
      throw ConfigError("abft.checksums_exposed: the checksum units' timing errors are modelled on INT8 arrays only, "
                        "not on " + arch::describe(m_array.numerics));
  }
  m_extra_cycles_per_fold = m_policy->extra_cycles_per_fold(m_array, {});
  if (m_cfg.remap_after > 0) m_remapper.emplace(m_array, m_cfg.remap_after, m_cfg.remap_to);
  if (const arch::TimingModel* tm = m_plan->model().timing_model(); m_cfg.checksums_exposed && tm) {
    // Their own process variation: the chip's seed with a tag, so they are not copies of PEs (r, 0..1).
    arch::VoltageConfig vc = tm->config();
    vc.chip_seed ^= 0xC0FFEE5EEDull;
    m_checker = std::make_unique<arch::TimingModel>(vc, m_array.rows, 2);
  }
}

void AbftEngine::set_energy_model(const arch::TechTable& tech, double v, double v_nominal,
                                  std::optional<arch::MemoryPricing> memory) {
  tech.validate();
  if (!(v > 0) || !(v_nominal > 0)) throw std::invalid_argument("AbftEngine: voltages must be positive");
  if (memory && !memory->traffic) throw std::invalid_argument("AbftEngine: memory pricing without a traffic function");
  m_tech = tech;
  m_v = v;
  m_v_nominal = v_nominal;
  m_memory_pricing = std::move(memory);
  m_energy_cache.clear();
  m_traffic_cache.clear();
}

void AbftEngine::account_energy(const models::Int8GemmArgs& args) {
  const arch::GemmShape shape{args.m, args.n, args.k};
  arch::GemmEnergyInput in;
  in.shape = shape;
  in.detection = m_policy->gemm_hardware(m_array, shape);
  in.v = m_v;
  in.v_nominal = m_v_nominal;
  if (m_memory_pricing) {
    auto [tit, fresh_traffic] = m_traffic_cache.try_emplace({args.m, args.n, args.k});
    if (fresh_traffic) tit->second = m_memory_pricing->traffic(args.m, args.n, args.k);
    in.memory = tit->second;
    in.dram = m_memory_pricing->dram;
    in.v_memory = m_memory_pricing->v_memory;
  }
  auto [it, fresh] = m_energy_cache.try_emplace({args.m, args.n, args.k});
  if (fresh) {
    const arch::EnergyBreakdown e = arch::gemm_energy(m_array, *m_tech, in);
    arch::GemmEnergyInput ref = in;
    ref.detection = {};  // the array alone
    ref.v = m_v_nominal;
    const arch::EnergyBreakdown nom = arch::gemm_energy(m_array, *m_tech, ref);
    AbftEnergy g;
    g.total = e.total();
    g.detection = e.detection;
    g.compute = e.compute();
    g.sram = e.sram;
    g.dram = e.dram;
    g.nominal = nom.total();
    g.nominal_compute = nom.compute();
    it->second = g;
  }
  const AbftEnergy& g = it->second;
  m_energy.total += g.total;
  m_energy.detection += g.detection;
  m_energy.compute += g.compute;
  m_energy.sram += g.sram;
  m_energy.dram += g.dram;
  m_energy.nominal += g.nominal;
  m_energy.nominal_compute += g.nominal_compute;
  for (const auto& [folds, v] : {std::pair{m_retry_folds, m_v}, std::pair{m_nominal_folds, m_v_nominal}}) {
    if (folds == 0) continue;
    arch::GemmEnergyInput rec = in;
    rec.recomputed_folds = folds;
    rec.recovery_v = v;
    const arch::EnergyBreakdown r = arch::gemm_energy(m_array, *m_tech, rec);
    m_energy.recovery += r.recovery;
    m_energy.total += r.recovery;
    m_energy.compute += r.recovery - r.recovery_sram;
    m_energy.sram += r.recovery_sram;
  }
}

std::pair<std::int64_t, std::int64_t> AbftEngine::folds_and_cycles(std::int64_t m, std::int64_t n, std::int64_t k) const {
  const arch::FoldPlan plan(m_array, {m, n, k});
  return {plan.count(), plan.count() * (plan.cycles_per_fold() + m_extra_cycles_per_fold)};
}

void AbftEngine::add(models::Component c, std::int64_t AbftTotals::*field, std::int64_t v) {
  m_totals.*field += v;
  m_by_component[static_cast<std::size_t>(c)].*field += v;
}

void AbftEngine::record(const AbftRecord& r) {
  if (m_records.size() < kMaxRecords) m_records.push_back(r);
}

std::vector<AbftEngine::Scope> AbftEngine::scopes_of(std::int64_t m, std::int64_t n) const {
  std::vector<Scope> scopes;
  if (m_cfg.scope == abft::DecisionScope::Gemm) return {{-1, 0, m, 0, n}};
  // OS folds are (row tile, column tile) pairs in FoldPlan order; a WS fold scope is its column tile.
  const bool folds = m_cfg.scope == abft::DecisionScope::Fold && m_array.dataflow == arch::Dataflow::OS;
  const std::int64_t R = folds ? m_array.rows : m, C = m_array.cols;
  for (std::int64_t m0 = 0; m0 < m; m0 += R)
    for (std::int64_t n0 = 0; n0 < n; n0 += C)
      scopes.push_back({static_cast<std::int64_t>(scopes.size()), m0, std::min(m, m0 + R), n0, std::min(n, n0 + C)});
  return scopes;
}

abft::DetectionInput AbftEngine::check(const models::GemmId& id, const models::Int8GemmArgs& region,
                                       std::int64_t flagged_macs, abft::ChecksumDeviations& dev) {
  dev = abft::checksum_deviations(region, m_array.cols, m_policy->needs_columns(), m_checker.get());
  abft::DetectionInput in;
  in.component = id.component;
  in.rows = region.m;
  in.tile_cols = m_array.cols;
  in.flagged_macs = flagged_macs;
  in.row_deviations = dev.row;
  in.col_deviations = dev.col;
  if (m_policy->needs_duplicate()) in.mismatched_words = mismatched_words(region);
  return in;
}

// DMR: the duplicate array computes the region again (fault-free: its own errors would have to match
// ours to hide one) and a comparator per word flags every difference.
std::int64_t AbftEngine::mismatched_words(const models::Int8GemmArgs& region) {
  m_scratch.assign(static_cast<std::size_t>(region.m * region.n), 0);
  models::Int8GemmArgs dup = region;
  dup.y = m_scratch.data();
  dup.ldy = region.n;
  models::GemmId id;  // the duplicate's identity does not matter: the clean engine injects nothing
  m_clean->gemm(id, dup);
  std::int64_t diff = 0;
  for (std::int64_t i = 0; i < region.m; ++i)
    for (std::int64_t j = 0; j < region.n; ++j)
      diff += m_scratch[static_cast<std::size_t>(i * region.n + j)] != region.y[i * region.ldy + j];
  return diff;
}

Decision AbftEngine::recheck(const models::GemmId& id, const models::Int8GemmArgs& region) {
  abft::ChecksumDeviations dev;
  // A same-voltage recomputation ran on its own residence's SRAM copy of the region.
  const faults::SramCopy stored(region, checksum_sram_faults(id, region));
  return m_policy->decide(check(id, stored.args(), 0, dev));
}

std::vector<faults::SramBitFault> AbftEngine::checksum_sram_faults(const models::GemmId& id,
                                                                   const models::Int8GemmArgs& args) const {
  if (m_cfg.checksums_from != ChecksumsFrom::Sram) return {};
  return m_plan->sram_sample(id, args.m, args.n, args.k);
}

void AbftEngine::count_recompute(models::Component c, const models::Int8GemmArgs& region, bool nominal) {
  const auto [folds, cycles] = folds_and_cycles(region.m, region.n, region.k);
  add(c, &AbftTotals::recomputed_macs, region.m * region.n * region.k);
  add(c, &AbftTotals::recomputed_folds, folds);
  add(c, &AbftTotals::recomputed_cycles, cycles);
  (nominal ? m_nominal_folds : m_retry_folds) += folds;
}

// Applies the decision's recovery to scope s; with a remapper, notes which words it changed.
void AbftEngine::recover(const models::GemmId& id, const models::Int8GemmArgs& args, const Scope& s, const Decision& d,
                         AbftRecord& rec) {
  const models::Int8GemmArgs region = region_of(args, s.m0, s.m1, s.n0, s.n1);
  std::vector<std::int32_t> before;
  if (m_remapper)
    for (std::int64_t i = 0; i < region.m; ++i) before.insert(before.end(), region.y + i * region.ldy, region.y + i * region.ldy + region.n);
  const RecoveryPolicy& r = d.action == Action::Correct          ? *m_correct
                            : d.action == Action::DropFaultyMacs ? *m_drop
                                                                 : *m_recompute;
  r.recover(*this, {id, args, region, s.m0, s.n0, &d, &rec});
  if (!m_remapper) return;
  for (std::int64_t i = 0; i < region.m; ++i)
    for (std::int64_t j = 0; j < region.n; ++j)
      if (before[static_cast<std::size_t>(i * region.n + j)] != region.y[i * region.ldy + j])
        m_changed_words.emplace_back(s.m0 + i, s.n0 + j);
}

void AbftEngine::gemm(const models::GemmId& id, const models::Int8GemmArgs& args) {
  m_rewrote_last = false;
  m_retry_folds = m_nominal_folds = 0;
  m_changed_words.clear();
  run_checked(id, args);
  if (m_tech) account_energy(args);
}

void AbftEngine::count_first_execution(models::Component c, std::int64_t m, std::int64_t n, std::int64_t k) {
  add(c, &AbftTotals::gemms, 1);
  add(c, &AbftTotals::macs, m * n * k);
  const auto [folds, cycles] = folds_and_cycles(m, n, k);
  add(c, &AbftTotals::folds, folds);
  add(c, &AbftTotals::cycles, cycles);
  if (m_remapper) {
    const std::int64_t extra = m_remapper->extra_cycles({m, n, k}, m_extra_cycles_per_fold);
    add(c, &AbftTotals::cycles, extra);
    add(c, &AbftTotals::remap_cycles, extra);
  }
}

Decision AbftEngine::decide_numeric(const models::GemmId& id, const models::NumericGemmArgs& region) const {
  const FpChecksumDeviations checks =
      fp_checksum_deviations(region, m_array.numerics, models::accumulation_order(m_array), m_array.cols, bound_model(m_cfg));
  return decide_fp(m_cfg, id.component, checks);
}

void AbftEngine::recompute_numeric(const models::GemmId& id, const models::NumericGemmArgs& region, AbftRecord& rec) {
  const models::Component c = id.component;
  add(c, &AbftTotals::recomputed, 1);
  if (m_cfg.recover_at == RecoverAt::SameVoltage) {
    for (int attempt = 1; attempt <= m_cfg.max_retries; ++attempt) {
      models::GemmId again = id;
      again.attempt = attempt;
      m_faulty->numeric_gemm(again, region);
      add(c, &AbftTotals::retries, 1);
      count_recompute(c, shape_of(region), false);
      const Decision d = decide_numeric(again, region);
      record({again, rec.tile, attempt, d.action, d.msd, d.theta_mag, d.freq, false});
      if (d.action == Action::Accept) return;
    }
  }
  m_clean->numeric_gemm(id, region);
  add(c, &AbftTotals::nominal, 1);
  count_recompute(c, shape_of(region), true);
  rec.recovered_at_nominal = true;
}

void AbftEngine::numeric_gemm(const models::GemmId& id, const models::NumericGemmArgs& args) {
  m_rewrote_last = false;
  m_retry_folds = m_nominal_folds = 0;
  m_faulty->numeric_gemm(id, args);
  const models::Component c = id.component;
  count_first_execution(c, args.m, args.n, args.k);
  const std::vector<Scope> scopes = scopes_of(args.m, args.n);
  add(c, &AbftTotals::scopes, static_cast<std::int64_t>(scopes.size()));
  if (m_policy->detects()) {
    for (const Scope& s : scopes) {
      const models::NumericGemmArgs region = region_of(args, s.m0, s.m1, s.n0, s.n1);
      const Decision d = decide_numeric(id, region);
      AbftRecord rec{id, s.id, 0, d.action, d.msd, d.theta_mag, d.freq, false};
      if (d.action != Action::Accept) {
        recompute_numeric(id, region, rec);
        add(c, &AbftTotals::flagged, 1);
        m_rewrote_last = true;
      }
      record(rec);
    }
  }
  if (m_tech) account_energy(shape_of(args));
}

void AbftEngine::run_checked(const models::GemmId& id, const models::Int8GemmArgs& args) {
  m_faulty->gemm(id, args);
  const models::Component c = id.component;
  count_first_execution(c, args.m, args.n, args.k);

  const std::vector<Scope> scopes = scopes_of(args.m, args.n);
  add(c, &AbftTotals::scopes, static_cast<std::int64_t>(scopes.size()));
  // A GEMM the campaign does not target ran fault-free: every deviation is exactly 0 (the checksum
  // identity is exact in wrap-around INT32), so every scope is accepted without computing them.
  if (!m_policy->detects() || !m_plan->targets(id)) return;

  // ThUnderVolt's Razor flags: the faulty accumulates of each scope.
  std::vector<std::int64_t> flagged_per_scope(scopes.size(), 0);
  if (m_policy->needs_razor_flags()) {
    const auto flag = [&](std::int64_t m, std::int64_t n) {
      for (std::size_t i = 0; i < scopes.size(); ++i)
        if (scopes[i].contains(m, n)) ++flagged_per_scope[i];
    };
    for (const auto& [m, n, k] : flagged_accumulates(*m_plan, id, args)) flag(m, n);
  }
  abft::ChecksumDeviations dev;
  // The checksums' operands: the scratchpads' copy (what the array computed on) or the true ones.
  const faults::SramCopy stored(args, checksum_sram_faults(id, args));
  for (std::size_t i = 0; i < scopes.size(); ++i) {
    const Scope& s = scopes[i];
    const models::Int8GemmArgs region = region_of(stored.args(), s.m0, s.m1, s.n0, s.n1);
    const abft::Decision d = m_policy->decide(check(id, region, flagged_per_scope[i], dev));
    AbftRecord rec{id, s.id, 0, d.action, d.msd, d.theta_mag, d.freq, false};
    if (d.action != abft::Action::Accept) {
      recover(id, args, s, d, rec);
      add(c, &AbftTotals::flagged, 1);
      m_rewrote_last = true;
    }
    record(rec);
  }
  // Permanent faults: the PEs behind the words the recoveries changed; remapped columns leave the
  // plan's faults (their work runs elsewhere from the next GEMM on).
  if (m_remapper) {
    const std::vector<int> retired = m_remapper->observe({args.m, args.n, args.k}, m_changed_words);
    if (!retired.empty()) {
      m_plan->remap_columns(m_array, m_remapper->retired());
      add(c, &AbftTotals::remapped_columns, static_cast<std::int64_t>(retired.size()));
    }
  }
}

}  // namespace saffire::abft
