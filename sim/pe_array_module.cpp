#include "sim/pe_array_module.hpp"

#include <algorithm>
#include <bit>
#include <type_traits>
#include <variant>
#include <cstring>

#include "arch/fault_site.hpp"
#include "sim/faults/stuck_at.hpp"
#include "sim/systemc_runtime.hpp"

namespace saffire::sim {
namespace {

// The accumulate of one PE under each rule: the latched sum; *j >= 0 when it differs from the exact sum.
struct ExactAccumulate {};
struct TimingAccumulate {
  const arch::TimingModel* tm;
  std::uint32_t operator()(int r, int c, std::uint32_t acc, std::int32_t prod, int* j) const {
    return tm->accumulate(r, c, acc, prod, j);
  }
};
struct StuckAccumulate {
  const faults::StuckAtMap* map;
  std::uint32_t operator()(int r, int c, std::uint32_t acc, std::int32_t prod, int* j) const {
    const std::uint32_t sum = acc + static_cast<std::uint32_t>(prod);
    const std::uint32_t latched = map->force(r, c, sum);
    *j = latched != sum ? std::countr_zero(latched ^ sum) : -1;
    return latched;
  }
};

}  // namespace

PeArrayModule::PeArrayModule(sc_core::sc_module_name name) : sc_core::sc_module(name), memory("memory") {
  SC_THREAD(run);
}

void PeArrayModule::submit(ArrayJob& job) {
  m_job = &job;
  m_start.notify(sc_core::SC_ZERO_TIME);
}

void PeArrayModule::tick() { wait(m_period); }

void PeArrayModule::inject_faults(std::int64_t fold, std::int64_t cycle) {
  while (m_next_fault < m_faults.size() && m_faults[m_next_fault].fold == fold && m_faults[m_next_fault].cycle == cycle) {
    const PeFault& f = m_faults[m_next_fault++];
    m_acc[static_cast<std::size_t>(f.pe_row * m_C + f.pe_col)] ^= f.mask;
  }
}

template <typename Rule>
void PeArrayModule::run_folds(const arch::FoldPlan& plan, const Rule& rule) {
  for (std::int64_t f = 0; f < plan.count(); ++f) {
    const arch::Fold fold = plan.fold(f);
    m_fetch.fetch(memory, m_qk, f);  // the fold's first clock comes once its operands are there
    if (m_qk.get_local_time() != sc_core::SC_ZERO_TIME) m_qk.sync();
    m_job->busy_cycles += m_job->cfg.dataflow == arch::Dataflow::WS ? run_ws_fold(fold, rule) : run_os_fold(fold, rule);
  }
}

void PeArrayModule::run() {
  for (;;) {
    wait(m_start);
    ArrayJob& job = *m_job;
    const sc_core::sc_time begin = sc_core::sc_time_stamp();
    m_R = job.cfg.rows;
    m_C = job.cfg.cols;
    m_period = sc_core::sc_time(job.cfg.period_ps(), sc_core::SC_PS);
    const std::size_t pes = static_cast<std::size_t>(m_R * m_C);
    m_act.assign(pes, 0);
    m_wgt.assign(pes, 0);
    m_acc.assign(pes, 0);
    m_act_valid.assign(pes, 0);
    m_wgt_valid.assign(pes, 0);

    const models::Int8GemmArgs& a = job.args;
    job.folds = 0;
    job.busy_cycles = 0;
    job.accumulate_errors.clear();
    if (job.numeric) {
      const arch::FoldPlan numeric_plan(job.cfg, {a.m, a.n, a.k});
      m_qk.reset();
      job.folds = numeric_plan.count();
      run_numeric_folds(numeric_plan);
      job.sim_time_ps = (sc_core::sc_time_stamp() - begin).value();
      m_job = nullptr;
      continue;
    }
    if (!a.accumulate)
      for (std::int64_t i = 0; i < a.m; ++i) std::fill_n(a.y + i * a.ldy, a.n, 0);

    const arch::FoldPlan plan(job.cfg, {a.m, a.n, a.k});
    // Output-word faults land in the accumulate of the last reduction step k = K-1.
    m_faults.clear();
    m_next_fault = 0;
    if (job.faults) {
      for (const arch::OutputFault& f : *job.faults) {
        const arch::HardwareSite h = arch::map_to_hardware(job.cfg, {a.m, a.n, a.k}, {f.m, f.n, a.k - 1});
        m_faults.push_back({h.fold, h.cycle, h.pe_row, h.pe_col, 1u << f.bit});
      }
      std::sort(m_faults.begin(), m_faults.end(),
                [](const PeFault& x, const PeFault& y) { return x.fold != y.fold ? x.fold < y.fold : x.cycle < y.cycle; });
    }
    m_qk.reset();
    job.folds = plan.count();
    job.busy_cycles = 0;
    job.accumulate_errors.clear();
    m_zero_row.assign(static_cast<std::size_t>(m_C), 0u);
    // One dispatch per GEMM on the accumulate rule; the fold loops are compiled once per rule.
    std::visit(
        [&](const auto& r) {
          using R = std::decay_t<decltype(r)>;
          if constexpr (std::is_same_v<R, std::monostate>) {
            run_folds(plan, ExactAccumulate{});
          } else if constexpr (std::is_same_v<R, const arch::TimingModel*>) {
            run_folds(plan, TimingAccumulate{r});
          } else {
            run_folds(plan, StuckAccumulate{r});
          }
        },
        job.rule);
    job.sim_time_ps = (sc_core::sc_time_stamp() - begin).value();
    m_job = nullptr;
  }
}

// WS: load the weight tile (R cycles), then stream X through; partial sums flow down the columns.
template <typename Rule>
std::int64_t PeArrayModule::run_ws_fold(const arch::Fold& fold, const Rule& rule) {
  const models::Int8GemmArgs& a = m_job->args;
  const std::int64_t R = m_R, C = m_C, M = fold.stream;
  std::int64_t cycles = 0;

  // Weight load: every cycle the tile shifts down one row; row 0 takes tile row R-1-t, so after R
  // cycles PE(r, c) holds W[k0 + r][n0 + c] (zero where the tile is smaller than the array).
  for (std::int64_t t = 0; t < R; ++t) {
    for (std::int64_t r = R - 1; r > 0; --r)
      std::memcpy(&m_wgt[static_cast<std::size_t>(r * C)], &m_wgt[static_cast<std::size_t>((r - 1) * C)],
                  static_cast<std::size_t>(C) * sizeof(std::int32_t));
    const std::int64_t tile_row = R - 1 - t;
    for (std::int64_t c = 0; c < C; ++c)
      m_wgt[static_cast<std::size_t>(c)] = (tile_row < fold.rows_used && c < fold.cols_used)
                                               ? a.w[(fold.row0 + tile_row) * a.ldw + fold.col0 + c]
                                               : 0;
    tick();
    ++cycles;
  }

  std::fill(m_act.begin(), m_act.end(), 0);
  std::fill(m_acc.begin(), m_acc.end(), 0u);
  std::fill(m_act_valid.begin(), m_act_valid.end(), 0);
  const std::int64_t expected_outputs = M * C;  // every column drains M words, padding included
  std::int64_t outputs = 0;
  for (std::int64_t t = 0; outputs < expected_outputs; ++t) {
    // Rows bottom-up so that row r-1 still holds last cycle's partial sums when row r reads them.
    for (std::int64_t r = R - 1; r >= 0; --r) {
      std::int32_t* act = &m_act[static_cast<std::size_t>(r * C)];
      std::uint8_t* valid = &m_act_valid[static_cast<std::size_t>(r * C)];
      std::memmove(act + 1, act, static_cast<std::size_t>(C - 1) * sizeof(std::int32_t));
      std::memmove(valid + 1, valid, static_cast<std::size_t>(C - 1));
      const std::int64_t m = t - r;  // skew: row r is r cycles behind row 0
      const bool in_range = m >= 0 && m < M;
      act[0] = (in_range && r < fold.rows_used) ? a.x[m * a.ldx + fold.row0 + r] : 0;
      valid[0] = in_range ? 1 : 0;
      std::uint32_t* psum = &m_acc[static_cast<std::size_t>(r * C)];
      const std::int32_t* wgt = &m_wgt[static_cast<std::size_t>(r * C)];
      if constexpr (std::is_same_v<Rule, ExactAccumulate>) {
        if (r == 0) {
          for (std::int64_t c = 0; c < C; ++c) psum[c] = static_cast<std::uint32_t>(act[c] * wgt[c]);
        } else {
          const std::uint32_t* above = psum - C;
          for (std::int64_t c = 0; c < C; ++c) psum[c] = above[c] + static_cast<std::uint32_t>(act[c] * wgt[c]);
        }
      } else {
        // The partial sum of stream row t - r - c passes PE (r, c): reduction step k0 + r. PE row 0
        // starts it from 0 (a PE row the fold leaves unused still passes it through its adder).
        const std::uint32_t* above = r == 0 ? m_zero_row.data() : psum - C;
        for (std::int64_t c = 0; c < C; ++c) {
          int j = -1;
          const std::int32_t prod = act[c] * wgt[c];
          const std::uint32_t before = above[c] + static_cast<std::uint32_t>(prod);
          psum[c] = rule(static_cast<int>(r), static_cast<int>(c), above[c], prod, &j);
          if (j >= 0 && valid[c] && c < fold.cols_used)
            m_job->accumulate_errors.push_back({t - r - c, fold.col0 + c, fold.row0 + r, j, before, psum[c]});
        }
      }
    }
    inject_faults(fold.index, R + t);
    // Partial sums leaving the bottom row are added into the output buffer.
    const std::size_t bottom = static_cast<std::size_t>((R - 1) * C);
    for (std::int64_t c = 0; c < C; ++c) {
      if (!m_act_valid[bottom + static_cast<std::size_t>(c)]) continue;
      ++outputs;
      if (c >= fold.cols_used) continue;
      const std::int64_t m = t - (R - 1) - c;
      std::int32_t& y = a.y[m * a.ldy + fold.col0 + c];
      y = static_cast<std::int32_t>(static_cast<std::uint32_t>(y) + m_acc[bottom + static_cast<std::size_t>(c)]);
    }
    tick();
    ++cycles;
  }
  return cycles;
}

// OS: X streams right, W streams down, each PE accumulates its own output until all K MACs are done.
template <typename Rule>
std::int64_t PeArrayModule::run_os_fold(const arch::Fold& fold, const Rule& rule) {
  const models::Int8GemmArgs& a = m_job->args;
  const std::int64_t R = m_R, C = m_C, K = fold.stream;
  std::int64_t cycles = 0;
  std::fill(m_act.begin(), m_act.end(), 0);
  std::fill(m_wgt.begin(), m_wgt.end(), 0);
  std::fill(m_acc.begin(), m_acc.end(), 0u);
  std::fill(m_act_valid.begin(), m_act_valid.end(), 0);
  std::fill(m_wgt_valid.begin(), m_wgt_valid.end(), 0);

  const std::int64_t expected_macs = R * C * K;  // padded PEs multiply zeros but still take part
  std::int64_t macs = 0;
  for (std::int64_t t = 0; macs < expected_macs; ++t) {
    for (std::int64_t r = R - 1; r >= 0; --r) {
      const std::size_t row = static_cast<std::size_t>(r * C);
      std::int32_t* act = &m_act[row];
      std::uint8_t* act_valid = &m_act_valid[row];
      std::memmove(act + 1, act, static_cast<std::size_t>(C - 1) * sizeof(std::int32_t));
      std::memmove(act_valid + 1, act_valid, static_cast<std::size_t>(C - 1));
      const std::int64_t k = t - r;
      const bool in_range = k >= 0 && k < K;
      act[0] = (in_range && r < fold.rows_used) ? a.x[(fold.row0 + r) * a.ldx + k] : 0;
      act_valid[0] = in_range ? 1 : 0;

      std::int32_t* wgt = &m_wgt[row];
      std::uint8_t* wgt_valid = &m_wgt_valid[row];
      if (r > 0) {
        std::memcpy(wgt, wgt - C, static_cast<std::size_t>(C) * sizeof(std::int32_t));
        std::memcpy(wgt_valid, wgt_valid - C, static_cast<std::size_t>(C));
      } else {
        for (std::int64_t c = 0; c < C; ++c) {
          const std::int64_t kc = t - c;  // skew: column c is c cycles behind column 0
          const bool col_in_range = kc >= 0 && kc < K;
          wgt[c] = (col_in_range && c < fold.cols_used) ? a.w[kc * a.ldw + fold.col0 + c] : 0;
          wgt_valid[c] = col_in_range ? 1 : 0;
        }
      }
      std::uint32_t* acc = &m_acc[row];
      std::int64_t row_macs = 0;
      if constexpr (!std::is_same_v<Rule, ExactAccumulate>) {
        // PE (r, c) does reduction step t - r - c of output (m0 + r, n0 + c) when both operands are valid.
        for (std::int64_t c = 0; c < C; ++c) {
          if (!(act_valid[c] & wgt_valid[c])) continue;
          int j = -1;
          const std::int32_t prod = act[c] * wgt[c];
          const std::uint32_t exact = acc[c] + static_cast<std::uint32_t>(prod);
          acc[c] = rule(static_cast<int>(r), static_cast<int>(c), acc[c], prod, &j);
          if (j >= 0 && r < fold.rows_used && c < fold.cols_used)
            m_job->accumulate_errors.push_back({fold.row0 + r, fold.col0 + c, t - r - c, j, exact, acc[c]});
          ++row_macs;
        }
      } else {
        for (std::int64_t c = 0; c < C; ++c) {
          acc[c] += static_cast<std::uint32_t>(act[c] * wgt[c]);
          row_macs += act_valid[c] & wgt_valid[c];
        }
      }
      macs += row_macs;
    }
    inject_faults(fold.index, t);
    tick();
    ++cycles;
  }

  auto write_row = [&](std::int64_t r, const std::uint32_t* acc_row) {
    if (r >= fold.rows_used) return;
    std::int32_t* y = a.y + (fold.row0 + r) * a.ldy + fold.col0;
    for (std::int64_t c = 0; c < fold.cols_used; ++c)
      y[c] = static_cast<std::int32_t>((a.accumulate ? static_cast<std::uint32_t>(y[c]) : 0u) + acc_row[c]);
  };
  if (!m_job->cfg.os_drain) {
    // Outputs are captured in parallel the cycle the last MAC finishes (SCALE-Sim's compute model).
    for (std::int64_t r = 0; r < R; ++r) write_row(r, &m_acc[static_cast<std::size_t>(r * C)]);
    return cycles;
  }
  // Drain: the accumulators shift down one row per cycle; the bottom row leaves each cycle.
  for (std::int64_t d = 0; d < R; ++d) {
    write_row(R - 1 - d, &m_acc[static_cast<std::size_t>((R - 1) * C)]);
    for (std::int64_t r = R - 1; r > 0; --r)
      std::memcpy(&m_acc[static_cast<std::size_t>(r * C)], &m_acc[static_cast<std::size_t>((r - 1) * C)],
                  static_cast<std::size_t>(C) * sizeof(std::uint32_t));
    tick();
    ++cycles;
  }
  return cycles;
}

}  // namespace saffire::sim
