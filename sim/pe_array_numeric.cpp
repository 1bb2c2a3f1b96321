// PeArrayModule on values of the job's number formats: the same skewed register walk as the integer
// folds in pe_array_module.cpp, every PE step arch::PeArithmetic::mac and every output-buffer add
// arch::PeArithmetic::buffer_add, so that the order of every sum is the hardware's own.
#include <algorithm>
#include <cstring>

#include "sim/pe_array_module.hpp"

namespace saffire::sim {

void PeArrayModule::run_numeric_folds(const arch::FoldPlan& plan) {
  const models::NumericGemmArgs& a = *m_job->numeric;
  const arch::PeArithmetic arith(m_job->cfg.numerics);
  const std::size_t pes = static_cast<std::size_t>(m_R * m_C);
  m_num_act.assign(pes, 0.0);
  m_num_wgt.assign(pes, 0.0);
  m_num_acc.assign(pes, 0.0);
  for (std::int64_t i = 0; i < a.m; ++i) std::fill_n(a.y + i * a.ldy, a.n, 0.0);  // output buffer words: +0
  for (std::int64_t f = 0; f < plan.count(); ++f) {
    const arch::Fold fold = plan.fold(f);
    m_fetch.fetch(memory, m_qk, f);  // the fold's first clock comes once its operands are there
    if (m_qk.get_local_time() != sc_core::SC_ZERO_TIME) m_qk.sync();
    m_job->busy_cycles += m_job->cfg.dataflow == arch::Dataflow::WS ? run_ws_fold_numeric(fold, arith)
                                                                     : run_os_fold_numeric(fold, arith);
  }
}

// WS: load the weight tile (R cycles), stream X; partial sums go down the columns from +0 at PE row 0.
std::int64_t PeArrayModule::run_ws_fold_numeric(const arch::Fold& fold, const arch::PeArithmetic& arith) {
  const models::NumericGemmArgs& a = *m_job->numeric;
  const std::int64_t R = m_R, C = m_C, M = fold.stream;
  std::int64_t cycles = 0;
  for (std::int64_t t = 0; t < R; ++t) {
    for (std::int64_t r = R - 1; r > 0; --r)
      std::memcpy(&m_num_wgt[static_cast<std::size_t>(r * C)], &m_num_wgt[static_cast<std::size_t>((r - 1) * C)],
                  static_cast<std::size_t>(C) * sizeof(double));
    const std::int64_t tile_row = R - 1 - t;
    for (std::int64_t c = 0; c < C; ++c)
      m_num_wgt[static_cast<std::size_t>(c)] = (tile_row < fold.rows_used && c < fold.cols_used)
                                                   ? a.w[(fold.row0 + tile_row) * a.ldw + fold.col0 + c]
                                                   : 0.0;
    tick();
    ++cycles;
  }
  std::fill(m_num_act.begin(), m_num_act.end(), 0.0);
  std::fill(m_num_acc.begin(), m_num_acc.end(), 0.0);
  std::fill(m_act_valid.begin(), m_act_valid.end(), 0);
  const std::int64_t expected_outputs = M * C;
  std::int64_t outputs = 0;
  for (std::int64_t t = 0; outputs < expected_outputs; ++t) {
    for (std::int64_t r = R - 1; r >= 0; --r) {  // bottom-up: row r-1 still holds last cycle's sums
      double* act = &m_num_act[static_cast<std::size_t>(r * C)];
      std::uint8_t* valid = &m_act_valid[static_cast<std::size_t>(r * C)];
      std::memmove(act + 1, act, static_cast<std::size_t>(C - 1) * sizeof(double));
      std::memmove(valid + 1, valid, static_cast<std::size_t>(C - 1));
      const std::int64_t m = t - r;
      const bool in_range = m >= 0 && m < M;
      act[0] = (in_range && r < fold.rows_used) ? a.x[m * a.ldx + fold.row0 + r] : 0.0;
      valid[0] = in_range ? 1 : 0;
      double* psum = &m_num_acc[static_cast<std::size_t>(r * C)];
      const double* wgt = &m_num_wgt[static_cast<std::size_t>(r * C)];
      for (std::int64_t c = 0; c < C; ++c) psum[c] = arith.mac(r == 0 ? 0.0 : psum[c - C], act[c], wgt[c]);
    }
    const std::size_t bottom = static_cast<std::size_t>((R - 1) * C);
    for (std::int64_t c = 0; c < C; ++c) {
      if (!m_act_valid[bottom + static_cast<std::size_t>(c)]) continue;
      ++outputs;
      if (c >= fold.cols_used) continue;
      const std::int64_t m = t - (R - 1) - c;
      double& y = a.y[m * a.ldy + fold.col0 + c];
      y = arith.buffer_add(y, m_num_acc[bottom + static_cast<std::size_t>(c)]);
    }
    tick();
    ++cycles;
  }
  return cycles;
}

// OS: X streams right, W down; PE (r, c) does its K MACs in order k = 0..K-1 from +0.
std::int64_t PeArrayModule::run_os_fold_numeric(const arch::Fold& fold, const arch::PeArithmetic& arith) {
  const models::NumericGemmArgs& a = *m_job->numeric;
  const std::int64_t R = m_R, C = m_C, K = fold.stream;
  std::int64_t cycles = 0;
  std::fill(m_num_act.begin(), m_num_act.end(), 0.0);
  std::fill(m_num_wgt.begin(), m_num_wgt.end(), 0.0);
  std::fill(m_num_acc.begin(), m_num_acc.end(), 0.0);
  std::fill(m_act_valid.begin(), m_act_valid.end(), 0);
  std::fill(m_wgt_valid.begin(), m_wgt_valid.end(), 0);
  const std::int64_t expected_macs = R * C * K;
  std::int64_t macs = 0;
  for (std::int64_t t = 0; macs < expected_macs; ++t) {
    for (std::int64_t r = R - 1; r >= 0; --r) {
      const std::size_t row = static_cast<std::size_t>(r * C);
      double* act = &m_num_act[row];
      std::uint8_t* act_valid = &m_act_valid[row];
      std::memmove(act + 1, act, static_cast<std::size_t>(C - 1) * sizeof(double));
      std::memmove(act_valid + 1, act_valid, static_cast<std::size_t>(C - 1));
      const std::int64_t k = t - r;
      const bool in_range = k >= 0 && k < K;
      act[0] = (in_range && r < fold.rows_used) ? a.x[(fold.row0 + r) * a.ldx + k] : 0.0;
      act_valid[0] = in_range ? 1 : 0;
      double* wgt = &m_num_wgt[row];
      std::uint8_t* wgt_valid = &m_wgt_valid[row];
      if (r > 0) {
        std::memcpy(wgt, wgt - C, static_cast<std::size_t>(C) * sizeof(double));
        std::memcpy(wgt_valid, wgt_valid - C, static_cast<std::size_t>(C));
      } else {
        for (std::int64_t c = 0; c < C; ++c) {
          const std::int64_t kc = t - c;
          const bool col_in_range = kc >= 0 && kc < K;
          wgt[c] = (col_in_range && c < fold.cols_used) ? a.w[kc * a.ldw + fold.col0 + c] : 0.0;
          wgt_valid[c] = col_in_range ? 1 : 0;
        }
      }
      double* acc = &m_num_acc[row];
      for (std::int64_t c = 0; c < C; ++c) {
        if (!(act_valid[c] & wgt_valid[c])) continue;  // the PE steps only on valid operands
        acc[c] = arith.mac(acc[c], act[c], wgt[c]);
        ++macs;
      }
    }
    tick();
    ++cycles;
  }
  // The output buffer takes each PE's sum into a +0 word (at once, or row by row with the drain).
  auto write_row = [&](std::int64_t r, const double* acc_row) {
    if (r >= fold.rows_used) return;
    double* y = a.y + (fold.row0 + r) * a.ldy + fold.col0;
    for (std::int64_t c = 0; c < fold.cols_used; ++c) y[c] = arith.buffer_add(0.0, acc_row[c]);
  };
  if (!m_job->cfg.os_drain) {
    for (std::int64_t r = 0; r < R; ++r) write_row(r, &m_num_acc[static_cast<std::size_t>(r * C)]);
    return cycles;
  }
  for (std::int64_t d = 0; d < R; ++d) {
    write_row(R - 1 - d, &m_num_acc[static_cast<std::size_t>((R - 1) * C)]);
    for (std::int64_t r = R - 1; r > 0; --r)
      std::memcpy(&m_num_acc[static_cast<std::size_t>(r * C)], &m_num_acc[static_cast<std::size_t>((r - 1) * C)],
                  static_cast<std::size_t>(C) * sizeof(double));
    tick();
    ++cycles;
  }
  return cycles;
}

}  // namespace saffire::sim
