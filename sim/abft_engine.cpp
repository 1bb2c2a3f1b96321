#include "sim/abft_engine.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <utility>

#include "arch/fold_plan.hpp"

namespace saffire::sim {
namespace {

models::Int8GemmArgs columns_of(const models::Int8GemmArgs& a, std::int64_t n0, std::int64_t n1) {
  models::Int8GemmArgs sub = a;
  sub.n = n1 - n0;
  sub.w = a.w + n0;
  sub.y = a.y + n0;
  return sub;
}

std::int32_t dot(const models::Int8GemmArgs& a, std::int64_t m, std::int64_t n) {
  std::uint32_t s = 0;
  for (std::int64_t k = 0; k < a.k; ++k)
    s += static_cast<std::uint32_t>(std::int32_t{a.x[m * a.ldx + k]} * a.w[k * a.ldw + n]);
  return static_cast<std::int32_t>(s);
}

}  // namespace

AbftEngine::AbftEngine(std::unique_ptr<models::GemmEngine> faulty, std::unique_ptr<models::GemmEngine> clean,
                       std::shared_ptr<FaultPlan> plan, const arch::ArrayConfig& array, const abft::AbftConfig& cfg)
    : m_faulty(std::move(faulty)),
      m_clean(std::move(clean)),
      m_plan(std::move(plan)),
      m_array(array),
      m_cfg(cfg),
      m_policy(abft::make_detection_policy(cfg)) {
  if (!m_faulty || !m_clean || !m_plan) throw std::invalid_argument("AbftEngine: faulty, clean engine and plan needed");
  m_array.validate();
  m_extra_cycles_per_fold = arch::scheme_extra_cycles(m_cfg.scheme, m_array);
  if (m_cfg.checksums_exposed && m_plan->timing()) {
    // Their own process variation: the chip's seed with a tag, so they are not copies of PEs (r, 0..1).
    arch::VoltageConfig vc = m_plan->timing()->config();
    vc.chip_seed ^= 0xC0FFEE5EEDull;
    m_checker = std::make_unique<arch::TimingModel>(vc, m_array.rows, 2);
  }
}

void AbftEngine::set_energy_model(const arch::TechTable& tech, double v, double v_nominal) {
  tech.validate();
  if (!(v > 0) || !(v_nominal > 0)) throw std::invalid_argument("AbftEngine: voltages must be positive");
  m_tech = tech;
  m_v = v;
  m_v_nominal = v_nominal;
  m_energy_cache.clear();
}

void AbftEngine::account_energy(const models::Int8GemmArgs& args) {
  const arch::GemmShape shape{args.m, args.n, args.k};
  arch::GemmEnergyInput in;
  in.shape = shape;
  in.scheme = m_cfg.scheme;
  in.v = m_v;
  in.v_nominal = m_v_nominal;
  auto [it, fresh] = m_energy_cache.try_emplace({args.m, args.n, args.k});
  if (fresh) {
    const arch::EnergyBreakdown e = arch::gemm_energy(m_array, *m_tech, in);
    arch::GemmEnergyInput ref = in;
    ref.scheme = arch::Scheme::None;
    ref.v = m_v_nominal;
    it->second = {e.total(), e.detection, arch::gemm_energy(m_array, *m_tech, ref).total()};
  }
  m_energy.total += it->second[0];
  m_energy.detection += it->second[1];
  m_energy.nominal += it->second[2];
  for (const auto& [folds, v] : {std::pair{m_retry_folds, m_v}, std::pair{m_nominal_folds, m_v_nominal}}) {
    if (folds == 0) continue;
    arch::GemmEnergyInput rec = in;
    rec.recomputed_folds = folds;
    rec.recovery_v = v;
    const double r = arch::gemm_energy(m_array, *m_tech, rec).recovery;
    m_energy.recovery += r;
    m_energy.total += r;
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

abft::ChecksumDeviations AbftEngine::deviations(const models::Int8GemmArgs& args) const {
  return abft::checksum_deviations(args, m_array.cols, m_policy->needs_columns(), m_checker.get());
}

abft::DetectionInput AbftEngine::input_for(const models::GemmId& id, const models::Int8GemmArgs& args, const Scope& s,
                                           const abft::ChecksumDeviations& dev, std::int64_t flagged_macs) const {
  abft::DetectionInput in;
  in.component = id.component;
  in.rows = args.m;
  in.tile_cols = m_array.cols;
  in.flagged_macs = flagged_macs;
  if (s.tile < 0) {
    in.row_deviations = dev.row;
    in.col_deviations = dev.col;
  } else {
    in.first_tile = s.tile;
    in.row_deviations = {dev.tile(s.tile), static_cast<std::size_t>(args.m)};
    in.first_col = s.n0;
    if (!dev.col.empty()) in.col_deviations = {dev.col.data() + s.n0, static_cast<std::size_t>(s.n1 - s.n0)};
  }
  return in;
}

// DMR: the duplicate array computes the scope again (fault-free: its own errors would have to match
// ours to hide one) and a comparator per word flags every difference.
std::int64_t AbftEngine::mismatched_words(const models::Int8GemmArgs& args, const Scope& s) {
  const std::int64_t width = s.n1 - s.n0;
  m_scratch.assign(static_cast<std::size_t>(args.m * width), 0);
  models::Int8GemmArgs dup = columns_of(args, s.n0, s.n1);
  dup.y = m_scratch.data();
  dup.ldy = width;
  models::GemmId id;  // the duplicate's identity does not matter: the clean engine injects nothing
  m_clean->gemm(id, dup);
  std::int64_t diff = 0;
  for (std::int64_t i = 0; i < args.m; ++i)
    for (std::int64_t j = 0; j < width; ++j)
      diff += m_scratch[static_cast<std::size_t>(i * width + j)] != args.y[i * args.ldy + s.n0 + j];
  return diff;
}

// ThUnderVolt's TE-drop: each accumulate its Razor flip-flop flags keeps the old partial sum, so the
// word is the exact one without the flagged products. (For the timing model this ignores that the
// dropped product would have changed which later accumulates fail.)
std::int64_t AbftEngine::drop_faulty_macs(const models::GemmId& id, const models::Int8GemmArgs& args, const Scope& s) {
  std::map<std::pair<std::int64_t, std::int64_t>, std::vector<std::int64_t>> steps;  // word -> failed steps
  if (m_plan->timing()) {
    for (const LoggedFault& lf : m_plan->logged_for(id))
      if (lf.fault.n >= s.n0 && lf.fault.n < s.n1) steps[{lf.fault.m, lf.fault.n}].push_back(lf.step);
  } else {
    for (const arch::OutputFault& f : m_plan->sample(id, args.m, args.n))
      if (f.n >= s.n0 && f.n < s.n1) steps[{f.m, f.n}].push_back(args.k - 1);
  }
  std::int64_t dropped = 0;
  for (const auto& [word, ks] : steps) {
    std::uint32_t v = static_cast<std::uint32_t>(dot(args, word.first, word.second));
    for (std::int64_t k : ks) {
      v -= static_cast<std::uint32_t>(std::int32_t{args.x[word.first * args.ldx + k]} * args.w[k * args.ldw + word.second]);
      ++dropped;
    }
    args.y[word.first * args.ldy + word.second] = static_cast<std::int32_t>(v);
  }
  return dropped;
}

void AbftEngine::recompute(const models::GemmId& id, const models::Int8GemmArgs& args, const Scope& s, AbftRecord& rec) {
  const models::Component c = id.component;
  const models::Int8GemmArgs sub = columns_of(args, s.n0, s.n1);
  const std::int64_t macs = sub.m * sub.n * sub.k;
  const auto [folds, cycles] = folds_and_cycles(sub.m, sub.n, sub.k);
  add(c, &AbftTotals::recomputed, 1);
  if (m_cfg.recover_at == abft::RecoverAt::SameVoltage) {
    for (int attempt = 1; attempt <= m_cfg.max_retries; ++attempt) {
      models::GemmId again = id;
      again.attempt = attempt;
      m_faulty->gemm(again, sub);
      add(c, &AbftTotals::retries, 1);
      add(c, &AbftTotals::recomputed_macs, macs);
      add(c, &AbftTotals::recomputed_folds, folds);
      add(c, &AbftTotals::recomputed_cycles, cycles);
      m_retry_folds += folds;
      const abft::ChecksumDeviations dev = deviations(sub);
      abft::DetectionInput in = input_for(again, sub, {-1, 0, sub.n}, dev, 0);
      in.first_tile = s.tile < 0 ? 0 : s.tile;  // classic-correct's tile check: sub starts at a tile boundary
      if (m_policy->needs_duplicate()) in.mismatched_words = mismatched_words(sub, {-1, 0, sub.n});
      const abft::Decision d = m_policy->decide(in);
      record({again, s.tile, attempt, d.action, d.msd, d.theta_mag, d.freq, false});
      if (d.action == abft::Action::Accept) return;
      if (d.action == abft::Action::Correct) {
        for (const abft::Correction& k : d.corrections) {
          std::int32_t& y = sub.y[k.m * sub.ldy + (k.n - in.first_tile * m_array.cols)];
          y = static_cast<std::int32_t>(static_cast<std::uint32_t>(y) - static_cast<std::uint32_t>(k.deviation));
          add(c, &AbftTotals::corrected_words, 1);
        }
        return;
      }
    }
  }
  m_clean->gemm(id, sub);  // nominal voltage: no timing errors, the checks pass
  add(c, &AbftTotals::nominal, 1);
  add(c, &AbftTotals::recomputed_macs, macs);
  add(c, &AbftTotals::recomputed_folds, folds);
  add(c, &AbftTotals::recomputed_cycles, cycles);
  m_nominal_folds += folds;
  rec.recovered_at_nominal = true;
}

void AbftEngine::gemm(const models::GemmId& id, const models::Int8GemmArgs& args) {
  m_rewrote_last = false;
  m_retry_folds = m_nominal_folds = 0;
  run_checked(id, args);
  if (m_tech) account_energy(args);
}

void AbftEngine::run_checked(const models::GemmId& id, const models::Int8GemmArgs& args) {
  m_faulty->gemm(id, args);
  const models::Component c = id.component;
  add(c, &AbftTotals::gemms, 1);
  add(c, &AbftTotals::macs, args.m * args.n * args.k);
  const auto [folds, cycles] = folds_and_cycles(args.m, args.n, args.k);
  add(c, &AbftTotals::folds, folds);
  add(c, &AbftTotals::cycles, cycles);

  std::vector<Scope> scopes;
  if (m_cfg.scope == abft::DecisionScope::Gemm) {
    scopes.push_back({-1, 0, args.n});
  } else {
    for (std::int64_t n0 = 0, t = 0; n0 < args.n; n0 += m_array.cols, ++t)
      scopes.push_back({t, n0, std::min(args.n, n0 + m_array.cols)});
  }
  add(c, &AbftTotals::scopes, static_cast<std::int64_t>(scopes.size()));
  // A GEMM the campaign does not target ran fault-free: every deviation is exactly 0 (the checksum
  // identity is exact in wrap-around INT32), so every scope is accepted without computing them.
  if (m_cfg.scheme == arch::Scheme::None || !m_plan->targets(id)) return;

  const abft::ChecksumDeviations dev = deviations(args);
  std::vector<std::int64_t> flagged_per_scope(scopes.size(), 0);
  if (m_cfg.scheme == arch::Scheme::ThunderVolt) {
    const auto scope_of = [&](std::int64_t n) {
      return m_cfg.scope == abft::DecisionScope::Gemm ? std::size_t{0} : static_cast<std::size_t>(n / m_array.cols);
    };
    if (m_plan->timing()) {
      for (const LoggedFault& lf : m_plan->logged_for(id)) ++flagged_per_scope[scope_of(lf.fault.n)];
    } else {
      for (const arch::OutputFault& f : m_plan->sample(id, args.m, args.n)) ++flagged_per_scope[scope_of(f.n)];
    }
  }
  for (std::size_t i = 0; i < scopes.size(); ++i) {
    const Scope& s = scopes[i];
    abft::DetectionInput in = input_for(id, args, s, dev, flagged_per_scope[i]);
    if (m_policy->needs_duplicate()) in.mismatched_words = mismatched_words(args, s);
    const abft::Decision d = m_policy->decide(in);
    AbftRecord rec{id, s.tile, 0, d.action, d.msd, d.theta_mag, d.freq, false};
    switch (d.action) {
      case abft::Action::Accept:
        break;
      case abft::Action::Correct:
        for (const abft::Correction& k : d.corrections) {
          std::int32_t& y = args.y[k.m * args.ldy + k.n];
          y = static_cast<std::int32_t>(static_cast<std::uint32_t>(y) - static_cast<std::uint32_t>(k.deviation));
        }
        add(c, &AbftTotals::corrected_words, static_cast<std::int64_t>(d.corrections.size()));
        break;
      case abft::Action::DropFaultyMacs:
        add(c, &AbftTotals::dropped_macs, drop_faulty_macs(id, args, s));
        break;
      case abft::Action::Recompute:
        recompute(id, args, s, rec);
        break;
    }
    if (d.action != abft::Action::Accept) {
      add(c, &AbftTotals::flagged, 1);
      m_rewrote_last = true;
    }
    record(rec);
  }
}

}  // namespace saffire::sim
