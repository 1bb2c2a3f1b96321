#include "models/llm/transformer.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "arch/checked_size.hpp"
#include "arch/memory_budget.hpp"
#include "models/llm/model_files.hpp"
#include "models/llm/pe_operands.hpp"

namespace saffire::models::llm {

namespace {

constexpr int kProjections = 7;  // Q, K, V, O, Gate, Up, Down: the Component values 0..6

int projection_slot(Component c) { return static_cast<int>(c); }

// "<checkpoint path>: " for messages about the model's buffers (empty for weights built in memory).
std::string model_prefix(const Checkpoint& ckpt) { return ckpt.path().empty() ? "" : ckpt.path().string() + ": "; }

// Scores (T, S) of queries at positions pos + i: row i keeps keys 0 .. pos + i, divided by `norm` and
// softmax-normalized; the future keys get probability 0 (causal mask).
void softmax_causal(float* scores, int t, int s_len, int pos, float norm) {
  for (int i = 0; i < t; ++i) {
    float* row = scores + static_cast<std::size_t>(i) * s_len;
    const int n_keys = pos + i + 1;
    for (int s = 0; s < n_keys; ++s) row[s] /= norm;
    softmax(row, n_keys);
    std::fill(row + n_keys, row + s_len, 0.0f);
  }
}

}  // namespace

std::string_view to_string(Precision p) {
  switch (p) {
    case Precision::W8A8:
      return "w8a8";
    case Precision::FP16:
      return "fp16";
    case Precision::BF16:
      return "bf16";
    case Precision::FP8E4M3:
      return "fp8-e4m3";
    case Precision::FP8E5M2:
      return "fp8-e5m2";
    default:
      return "fp32";
  }
}

Precision parse_precision(std::string_view name) {
  for (Precision p : {Precision::FP32, Precision::W8A8, Precision::FP16, Precision::BF16, Precision::FP8E4M3,
                      Precision::FP8E5M2})
    if (name == to_string(p)) return p;
  if (name == "fp8") return Precision::FP8E4M3;
  throw std::invalid_argument("unknown precision '" + std::string(name) +
                              "' (expected one of: fp32, w8a8, fp16, bf16, fp8, fp8-e4m3, fp8-e5m2)");
}

bool on_float_pes(Precision p) { return p != Precision::FP32 && p != Precision::W8A8; }

arch::NumberFormat operand_format(Precision p) {
  switch (p) {
    case Precision::FP16:
      return arch::NumberFormat::Fp16;
    case Precision::BF16:
      return arch::NumberFormat::Bf16;
    case Precision::FP8E4M3:
      return arch::NumberFormat::Fp8E4M3;
    case Precision::FP8E5M2:
      return arch::NumberFormat::Fp8E5M2;
    default:
      throw std::invalid_argument("precision " + std::string(to_string(p)) + " has no floating-point operand format");
  }
}

QuantizedLinear quantize_linear(const float* w, std::int64_t out, std::int64_t in, WeightGranularity granularity) {
  QuantizedLinear ql;
  ql.k = in;
  ql.n = out;
  ql.q.resize(static_cast<std::size_t>(in * out));
  const ScaleAxis axis = granularity == WeightGranularity::PerChannel ? ScaleAxis::Column : ScaleAxis::Tensor;
  ql.scales.resize(static_cast<std::size_t>(scale_count(axis, in, out)));
  // W^T (in, out): element (i, j) = w[j * in + i].
  quantize_matrix(w, in, out, /*row_stride=*/1, /*col_stride=*/in, axis, ql.q.data(), out, ql.scales.data());
  return ql;
}

std::int64_t w8a8_weight_bytes(const LlamaConfig& c, WeightGranularity granularity) {
  const std::int64_t d = c.dim, h = c.hidden_dim, kv = c.kv_dim();
  const bool gated = c.style.gated(), per_channel = granularity == WeightGranularity::PerChannel;
  const std::int64_t values = arch::checked_add(arch::checked_mul(2 * d + 2 * kv, d, "W8A8 weights"),
                                                arch::checked_mul(gated ? 3 : 2, h * d, "W8A8 weights"), "W8A8 weights");
  const std::int64_t scales = 4 * (per_channel ? 3 * d + 2 * kv + (gated ? 2 : 1) * h : (gated ? 7 : 6));
  return arch::checked_mul(arch::checked_add(values, scales, "W8A8 weights"), c.n_layers, "W8A8 weights (bytes)");
}

QuantizedLinear quantize_projection(const Checkpoint& ckpt, Component c, int layer, std::int64_t out, std::int64_t in,
                                    WeightGranularity granularity) {
  QuantizedLinear ql;
  ql.k = in;
  ql.n = out;
  ql.q.resize(static_cast<std::size_t>(in * out));
  const bool per_channel = granularity == WeightGranularity::PerChannel;
  ql.scales.resize(per_channel ? static_cast<std::size_t>(out) : 1);
  // Rows of W come in blocks of kBlock (converted from the source once each, per-channel); W^T (in, out) is then
  // written kBlock contiguous bytes at a time. The values, abs-maxima and scales are those quantize_linear
  // computes from the whole FP32 matrix, so the INT8 weights are identical.
  constexpr std::int64_t kBlock = 64;
  std::vector<float> rows(static_cast<std::size_t>(kBlock * in));
  const auto row_absmax = [&](const float* r) {
    float m = 0.0f;
    for (std::int64_t i = 0; i < in; ++i) m = std::max(m, std::fabs(r[i]));
    return m;
  };
  float tensor_scale = 0.0f;
  if (!per_channel) {  // first pass: the tensor's abs-max
    float m = 0.0f;
    for (std::int64_t j = 0; j < out; ++j) {
      ckpt.projection_row(c, layer, j, std::span<float>(rows.data(), static_cast<std::size_t>(in)));
      m = std::max(m, row_absmax(rows.data()));
    }
    tensor_scale = absmax_scale(m);
    ql.scales[0] = tensor_scale;
  }
  for (std::int64_t j0 = 0; j0 < out; j0 += kBlock) {
    const std::int64_t nb = std::min(kBlock, out - j0);
    for (std::int64_t b = 0; b < nb; ++b) {
      float* r = rows.data() + b * in;
      ckpt.projection_row(c, layer, j0 + b, std::span<float>(r, static_cast<std::size_t>(in)));
      if (per_channel) ql.scales[static_cast<std::size_t>(j0 + b)] = absmax_scale(row_absmax(r));
    }
    for (std::int64_t i = 0; i < in; ++i) {
      std::int8_t* qrow = ql.q.data() + i * out + j0;
      for (std::int64_t b = 0; b < nb; ++b) {
        const float sc = per_channel ? ql.scales[static_cast<std::size_t>(j0 + b)] : tensor_scale;
        qrow[b] = quantize_value(rows[static_cast<std::size_t>(b * in + i)], sc);
      }
    }
  }
  ckpt.release_projection(c, layer);  // a mapped source's pages leave the resident set: only the INT8 copy stays
  return ql;
}

Transformer::Transformer(const Checkpoint& ckpt, const InferenceOptions& options, GemmEngine* engine)
    : m_ckpt(&ckpt),
      m_cfg(ckpt.config()),
      m_opts(options),
      m_engine(engine),
      m_rope(0, ckpt.config().head_size(), ckpt.config().rope) {
  m_cfg.validate();
  if (m_opts.precision != Precision::W8A8 && !ckpt.has_fp32_projections()) {
    throw std::invalid_argument("Transformer: " + std::string(to_string(m_opts.precision)) +
                                " inference needs the FP32 projections, but " +
                                (ckpt.path().empty() ? std::string("the checkpoint") : ckpt.path().string()) +
                                " was loaded with WeightStorage::MappedProjections (for W8A8 only)");
  }
  if (m_opts.precision == Precision::W8A8) {
    const std::int64_t d = m_cfg.dim, h = m_cfg.hidden_dim, kv = m_cfg.kv_dim();
    const bool gated = m_cfg.style.gated();
    // INT8 weights plus their scales, counted before any is allocated (--max-memory).
    arch::check_memory(w8a8_weight_bytes(m_cfg, m_opts.quant.weights), model_prefix(ckpt) + "the W8A8 (INT8) weights");
    m_qweights.reserve(static_cast<std::size_t>(m_cfg.n_layers) * kProjections);
    for (int l = 0; l < m_cfg.n_layers; ++l) {
      const WeightGranularity g = m_opts.quant.weights;
      m_qweights.push_back(quantize_projection(ckpt, Component::Q, l, d, d, g));    // Q: (dim, dim)
      m_qweights.push_back(quantize_projection(ckpt, Component::K, l, kv, d, g));   // K: (kv_dim, dim)
      m_qweights.push_back(quantize_projection(ckpt, Component::V, l, kv, d, g));   // V: (kv_dim, dim)
      m_qweights.push_back(quantize_projection(ckpt, Component::O, l, d, d, g));    // O: (dim, dim)
      // Gate: (hidden, dim); an empty slot for a non-gated MLP.
      m_qweights.push_back(gated ? quantize_projection(ckpt, Component::Gate, l, h, d, g) : QuantizedLinear{});
      m_qweights.push_back(quantize_projection(ckpt, Component::Up, l, h, d, g));   // Up: (hidden, dim)
      m_qweights.push_back(quantize_projection(ckpt, Component::Down, l, d, h, g));  // Down: (dim, hidden)
    }
  }
  if (on_float_pes(m_opts.precision)) {
    const LlamaWeights& w = ckpt.weights();
    const std::int64_t d = m_cfg.dim, h = m_cfg.hidden_dim, kv = m_cfg.kv_dim();
    const bool gated = m_cfg.style.gated(), lo = m_opts.heal.compensated;
    // Every projection's W^T as doubles (twice with the compensated low parts): checked before allocating.
    const std::int64_t per_layer = arch::checked_add(arch::checked_mul(2 + (gated ? 1 : 0), d, h, "weights"),
                                                     arch::checked_mul(2, d, d + kv, "weights"), "weights");
    arch::check_memory(arch::checked_mul(per_layer, m_cfg.n_layers, 8 * (lo ? 2 : 1), "PE weight operands (bytes)"),
                       model_prefix(ckpt) + "the weights as " + std::string(to_string(m_opts.precision)) +
                           " operands (held as doubles" + (lo ? ", high and low parts" : "") + ")");
    const arch::NumberFormat f = operand_format(m_opts.precision);
    const auto make = [&](const float* wp, std::int64_t out, std::int64_t in) {
      PeLinear pl;
      pl.k = in, pl.n = out;
      pl.hi.resize(static_cast<std::size_t>(in * out));
      if (lo) pl.lo.resize(pl.hi.size());
      // W^T (in, out): element (i, j) = wp[j * in + i].
      round_operand(wp, in, out, 1, in, f, pl.hi.data(), lo ? pl.lo.data() : nullptr, out);
      return pl;
    };
    m_pe_weights.reserve(static_cast<std::size_t>(m_cfg.n_layers) * kProjections);
    for (int l = 0; l < m_cfg.n_layers; ++l) {
      m_pe_weights.push_back(make(w.wq + l * d * d, d, d));
      m_pe_weights.push_back(make(w.wk + l * kv * d, kv, d));
      m_pe_weights.push_back(make(w.wv + l * kv * d, kv, d));
      m_pe_weights.push_back(make(w.wo + l * d * d, d, d));
      m_pe_weights.push_back(gated ? make(w.w1 + l * h * d, h, d) : PeLinear{});
      m_pe_weights.push_back(make(w.w3 + l * h * d, h, d));
      m_pe_weights.push_back(make(w.w2 + l * d * h, d, h));
    }
  }
}

void Transformer::begin_sequence(int sequence) {
  m_sequence = sequence;
  m_call_index = 0;
}

void Transformer::ensure_kv(int positions) {
  if (positions <= m_kv_positions) return;
  // Grown to the positions used (eval's ctx, generate's steps), doubling up to seq_len: never seq_len up front.
  const int next = std::max(positions, std::min(m_cfg.seq_len, 2 * m_kv_positions));
  const auto layers = static_cast<std::size_t>(m_cfg.n_layers), kv = static_cast<std::size_t>(m_cfg.kv_dim());
  const auto old_rows = static_cast<std::size_t>(m_kv_positions), new_rows = static_cast<std::size_t>(next);
  // Keys and values, old and new caches side by side while copying: estimated before allocating (a
  // vector's zero fill touches every page, so an overcommitted allocation would not fail, it would be killed).
  const std::int64_t per_position = arch::checked_mul(2 * static_cast<std::int64_t>(sizeof(float)), m_cfg.n_layers,
                                                      m_cfg.kv_dim(), "KV cache bytes per position");
  const std::int64_t bytes = arch::checked_mul(per_position, std::int64_t{next} + m_kv_positions, "KV cache (bytes)");
  arch::check_memory(bytes, model_prefix(*m_ckpt) + "the KV cache of " + std::to_string(next) +
                                " positions (2 x n_layers " + std::to_string(m_cfg.n_layers) + " x kv_dim " +
                                std::to_string(m_cfg.kv_dim()) + " x 4 bytes per position; use a shorter --ctx or --steps)");
  std::vector<float> keys(layers * new_rows * kv, 0.0f), values(layers * new_rows * kv, 0.0f);
  for (std::size_t l = 0; l < layers && old_rows > 0; ++l) {
    std::copy_n(m_key_cache.data() + l * old_rows * kv, old_rows * kv, keys.data() + l * new_rows * kv);
    std::copy_n(m_value_cache.data() + l * old_rows * kv, old_rows * kv, values.data() + l * new_rows * kv);
  }
  m_rope.reserve(next);
  m_key_cache.swap(keys);
  m_value_cache.swap(values);
  m_kv_positions = next;
}

void Transformer::ensure_capacity(int t) {
  if (t <= m_capacity && m_scratch_positions == m_kv_positions) return;
  t = std::max(t, m_capacity);
  const auto rows = static_cast<std::size_t>(t);
  const auto d = static_cast<std::size_t>(m_cfg.dim), h = static_cast<std::size_t>(m_cfg.hidden_dim),
             s = static_cast<std::size_t>(m_kv_positions), v = static_cast<std::size_t>(m_cfg.vocab_size);
  {  // activations, scores and logits of t tokens at once (eval scores a whole context in one forward)
    const std::int64_t per_token = arch::checked_add(
        arch::checked_add(4 * std::int64_t{m_cfg.dim}, 2 * std::int64_t{m_cfg.hidden_dim}, "scratch floats per token"),
        std::int64_t{m_kv_positions} + m_cfg.vocab_size, "scratch floats per token");
    arch::check_memory(arch::checked_mul(per_token, 4 * std::int64_t{t}, "forward scratch (bytes)"),
                       model_prefix(*m_ckpt) + "the forward pass's activations, scores and logits for " +
                           std::to_string(t) + " tokens");
  }
  m_x.resize(rows * d);
  m_xb.resize(rows * d);
  m_q.resize(rows * d);
  m_att_out.resize(rows * d);
  m_hb.resize(rows * h);
  m_hb2.resize(rows * h);
  m_scores.resize(rows * s);
  m_logits.resize(rows * v);
  if (m_cfg.style.projected()) m_emb.resize(rows * static_cast<std::size_t>(m_cfg.embedding_dim()));
  if (m_opts.precision == Precision::W8A8) {
    const std::size_t widest = std::max({d, h, s});
    const auto hd = static_cast<std::size_t>(m_cfg.head_size());
    m_qx.resize(rows * widest);
    m_sx.resize(rows);
    m_acc.resize(rows * widest);
    m_qkt.resize(hd * s);
    m_sk.resize(s);
    m_qv.resize(s * hd);
    m_sv.resize(hd);
  }
  if (on_float_pes(m_opts.precision)) {
    const std::size_t widest = std::max({d, h, s});
    const auto hd = static_cast<std::size_t>(m_cfg.head_size());
    const bool lo = m_opts.heal.compensated;
    m_px.resize(rows * widest);
    m_py.resize(rows * widest);
    m_pk.resize(hd * s);
    if (lo) {
      m_px_lo.resize(rows * widest);
      m_pk_lo.resize(hd * s);
      m_py2.resize(rows * widest);
      m_py3.resize(rows * widest);
    }
    m_pscale.resize(std::max({rows, s, hd}));
    m_pscale_w.resize(std::max(s, hd));
  }
  m_capacity = t;
  m_scratch_positions = m_kv_positions;
}

void Transformer::run_numeric_gemm(GemmId id, const NumericGemmArgs& args, const arch::PeNumerics* numerics) {
  id.call_index = m_call_index++;
  id.sequence = m_sequence;
  if (numerics) {
    m_engine->numeric_gemm_as(id, args, *numerics);
  } else {
    m_engine->numeric_gemm(id, args);
  }
}

void Transformer::pe_gemm(GemmId id, std::int64_t m, std::int64_t n, std::int64_t k, const double* x,
                          const double* x_lo, std::int64_t ldx, const double* w, const double* w_lo, std::int64_t ldw,
                          float* y, std::int64_t ldy, bool add) {
  NumericGemmArgs a;
  a.m = m, a.n = n, a.k = k;
  a.x = x, a.ldx = ldx, a.w = w, a.ldw = ldw, a.y = m_py.data(), a.ldy = n;
  run_numeric_gemm(id, a);
  if (x_lo == nullptr || w_lo == nullptr) {
    store_output(m_py.data(), m, n, y, ldy, add);
    return;
  }
  // Compensated: the two cross products, then hi*hi + (hi*lo + lo*hi) * 2^-p in FP32.
  a.w = w_lo, a.y = m_py2.data();
  run_numeric_gemm(id, a);
  a.x = x_lo, a.w = w, a.y = m_py3.data();
  run_numeric_gemm(id, a);
  combine_compensated(m_py.data(), m_py2.data(), m_py3.data(), m, n,
                      compensation_scale(operand_format(m_opts.precision)), y, ldy, add);
}

void Transformer::run_gemm(GemmId id, const Int8GemmArgs& args, std::span<const float> x_scales,
                           std::span<const float> w_scales) {
  id.call_index = m_call_index++;
  id.sequence = m_sequence;
  const QuantizedGemmCall call{id, args, x_scales, w_scales};
  if (m_hook != nullptr) m_hook->before_gemm(call);
  m_engine->gemm(id, args);
  if (m_hook != nullptr) m_hook->after_gemm(call);
}

const float* Transformer::bias(int layer, Component c) const {
  const LlamaWeights& w = m_ckpt->weights();
  const std::size_t d = static_cast<std::size_t>(m_cfg.dim), kv = static_cast<std::size_t>(m_cfg.kv_dim()),
                    h = static_cast<std::size_t>(m_cfg.hidden_dim), l = static_cast<std::size_t>(layer);
  const auto at = [l](const float* b, std::size_t n) { return b == nullptr ? nullptr : b + l * n; };
  switch (c) {
    case Component::Q:
      return at(w.bq, d);
    case Component::K:
      return at(w.bk, kv);
    case Component::V:
      return at(w.bv, kv);
    case Component::O:
      return at(w.bo, d);
    case Component::Up:
      return at(w.b_up, h);
    case Component::Down:
      return at(w.b_down, d);
    default:
      return nullptr;
  }
}

void Transformer::linear(int layer, Component c, const float* x, int t, int pos, Stage stage, float* y,
                         std::int64_t ldy, bool add) {
  const float* b = bias(layer, c);
  if (m_opts.precision == Precision::FP32) {
    const LlamaWeights& w = m_ckpt->weights();
    const std::int64_t d = m_cfg.dim, h = m_cfg.hidden_dim, kv = m_cfg.kv_dim();
    const float* wp = nullptr;
    std::int64_t out = 0, in = d;
    switch (c) {
      case Component::Q:
        wp = w.wq + layer * d * d, out = d;
        break;
      case Component::K:
        wp = w.wk + layer * kv * d, out = kv;
        break;
      case Component::V:
        wp = w.wv + layer * kv * d, out = kv;
        break;
      case Component::O:
        wp = w.wo + layer * d * d, out = d;
        break;
      case Component::Gate:
        wp = w.w1 + layer * h * d, out = h;
        break;
      case Component::Up:
        wp = w.w3 + layer * h * d, out = h;
        break;
      case Component::Down:
        wp = w.w2 + layer * d * h, out = d, in = h;
        break;
      default:
        throw std::logic_error("linear: not a projection");
    }
    if (ldy != out) throw std::logic_error("linear: FP32 output must be contiguous");
    matmul_wt(x, t, in, wp, out, y, add);
    if (b != nullptr) add_bias(y, t, out, ldy, b);
    return;
  }
  if (on_float_pes(m_opts.precision)) {
    const PeLinear& pw = m_pe_weights[static_cast<std::size_t>(layer * kProjections + projection_slot(c))];
    const bool lo = m_opts.heal.compensated;
    // X (t, k) rounded to the operand format at the GEMM boundary (and split when compensated).
    round_operand(x, t, pw.k, pw.k, 1, operand_format(m_opts.precision), m_px.data(), lo ? m_px_lo.data() : nullptr,
                  pw.k);
    GemmId id;
    id.layer = layer, id.component = c, id.stage = stage, id.head = -1, id.pos_begin = pos, id.pos_end = pos + t;
    pe_gemm(id, t, pw.n, pw.k, m_px.data(), lo ? m_px_lo.data() : nullptr, pw.k, pw.hi.data(),
            lo ? pw.lo.data() : nullptr, pw.n, y, ldy, add);
    if (b != nullptr) add_bias(y, t, pw.n, ldy, b);
    return;
  }
  const QuantizedLinear& qw = m_qweights[static_cast<std::size_t>(layer * kProjections + projection_slot(c))];
  const ScaleAxis x_axis =
      m_opts.quant.activations == ActivationGranularity::PerToken ? ScaleAxis::Row : ScaleAxis::Tensor;
  // X (t, k) -> int8 (t, k) with per-token or per-tensor scales.
  quantize_matrix(x, t, qw.k, qw.k, 1, x_axis, m_qx.data(), qw.k, m_sx.data());
  Int8GemmArgs args;
  args.m = t, args.n = qw.n, args.k = qw.k;
  args.x = m_qx.data(), args.ldx = qw.k;
  args.w = qw.q.data(), args.ldw = qw.n;
  args.y = m_acc.data(), args.ldy = qw.n;
  const std::span<const float> xs(m_sx.data(), static_cast<std::size_t>(scale_count(x_axis, t, qw.k)));
  GemmId id;
  id.layer = layer, id.component = c, id.stage = stage, id.head = -1, id.pos_begin = pos, id.pos_end = pos + t;
  run_gemm(id, args, xs, qw.scales);
  dequantize(m_acc.data(), t, qw.n, qw.n, xs, qw.scales, y, ldy, add);
  // The bias is added to the dequantized output, after the INT32 GEMM, as an accelerator's epilogue does.
  if (b != nullptr) add_bias(y, t, qw.n, ldy, b);
}

void Transformer::attention_fp32(int layer, int t, int pos) {
  const int hd = m_cfg.head_size(), kv_dim = m_cfg.kv_dim(), dim = m_cfg.dim, kv_mul = m_cfg.kv_mul();
  const int s_len = pos + t;  // keys 0 .. pos + t - 1 (the last query sees them all)
  const float* kc = m_key_cache.data() + static_cast<std::size_t>(layer) * static_cast<std::size_t>(m_kv_positions) * kv_dim;
  const float* vc = m_value_cache.data() + static_cast<std::size_t>(layer) * static_cast<std::size_t>(m_kv_positions) * kv_dim;
  const float norm = std::sqrt(static_cast<float>(hd));
  float* scores = m_scores.data();  // (T, S)
  for (int h = 0; h < m_cfg.n_heads; ++h) {
    const int kv_off = (h / kv_mul) * hd;
    // Scores (T, S) = Q_h (T, hd) * K_h^T, then causal softmax per row; Out_h (T, hd) = P (T, S) * V_h (S, hd).
    matmul_abt(m_q.data() + h * hd, dim, kc + kv_off, kv_dim, t, s_len, hd, scores, s_len);
    softmax_causal(scores, t, s_len, pos, norm);
    matmul_ab(scores, s_len, vc + kv_off, kv_dim, t, hd, s_len, m_att_out.data() + h * hd, dim);
  }
}

void Transformer::attention_w8a8(int layer, int t, int pos, Stage stage) {
  const int hd = m_cfg.head_size(), kv_dim = m_cfg.kv_dim(), dim = m_cfg.dim, kv_mul = m_cfg.kv_mul();
  const int s_len = pos + t;  // keys 0 .. pos + t - 1 (the last query sees them all)
  const float* kc = m_key_cache.data() + static_cast<std::size_t>(layer) * static_cast<std::size_t>(m_kv_positions) * kv_dim;
  const float* vc = m_value_cache.data() + static_cast<std::size_t>(layer) * static_cast<std::size_t>(m_kv_positions) * kv_dim;
  const float norm = std::sqrt(static_cast<float>(hd));
  const ScaleAxis x_axis =
      m_opts.quant.activations == ActivationGranularity::PerToken ? ScaleAxis::Row : ScaleAxis::Tensor;
  const ScaleAxis w_axis =
      m_opts.quant.weights == WeightGranularity::PerChannel ? ScaleAxis::Column : ScaleAxis::Tensor;
  const std::span<const float> sk(m_sk.data(), static_cast<std::size_t>(scale_count(w_axis, hd, s_len)));
  const std::span<const float> sv(m_sv.data(), static_cast<std::size_t>(scale_count(w_axis, s_len, hd)));
  for (int h = 0; h < m_cfg.n_heads; ++h) {
    const int kv_off = (h / kv_mul) * hd;
    if (h % kv_mul == 0) {
      // K_h^T (hd, S): element (d, s) = kc[s * kv_dim + kv_off + d]; V_h (S, hd). Shared by the query group.
      quantize_matrix(kc + kv_off, hd, s_len, 1, kv_dim, w_axis, m_qkt.data(), s_len, m_sk.data());
      quantize_matrix(vc + kv_off, s_len, hd, kv_dim, 1, w_axis, m_qv.data(), hd, m_sv.data());
    }
    GemmId id;
    id.layer = layer, id.stage = stage, id.head = h, id.pos_begin = pos, id.pos_end = pos + t;

    // Scores (T, S) = Q_h (T, hd) * K_h^T (hd, S), scaled by 1/sqrt(hd) after dequantization.
    quantize_matrix(m_q.data() + h * hd, t, hd, dim, 1, x_axis, m_qx.data(), hd, m_sx.data());
    const std::span<const float> xs_q(m_sx.data(), static_cast<std::size_t>(scale_count(x_axis, t, hd)));
    Int8GemmArgs qk;
    qk.m = t, qk.n = s_len, qk.k = hd;
    qk.x = m_qx.data(), qk.ldx = hd, qk.w = m_qkt.data(), qk.ldw = s_len, qk.y = m_acc.data(), qk.ldy = s_len;
    id.component = Component::QK;
    run_gemm(id, qk, xs_q, sk);
    float* scores = m_scores.data();  // (T, S)
    dequantize(m_acc.data(), t, s_len, s_len, xs_q, sk, scores, s_len);
    softmax_causal(scores, t, s_len, pos, norm);

    // Out_h (T, hd) = P (T, S) * V_h (S, hd).
    quantize_matrix(scores, t, s_len, s_len, 1, x_axis, m_qx.data(), s_len, m_sx.data());
    const std::span<const float> xs_p(m_sx.data(), static_cast<std::size_t>(scale_count(x_axis, t, s_len)));
    Int8GemmArgs pv;
    pv.m = t, pv.n = hd, pv.k = s_len;
    pv.x = m_qx.data(), pv.ldx = s_len, pv.w = m_qv.data(), pv.ldw = hd, pv.y = m_acc.data(), pv.ldy = hd;
    id.component = Component::PV;
    run_gemm(id, pv, xs_p, sv);
    dequantize(m_acc.data(), t, hd, hd, xs_p, sv, m_att_out.data() + h * hd, dim);
  }
}

void Transformer::attention_pe(int layer, int t, int pos, Stage stage) {
  const int hd = m_cfg.head_size(), kv_dim = m_cfg.kv_dim(), dim = m_cfg.dim, kv_mul = m_cfg.kv_mul();
  const int s_len = pos + t;  // keys 0 .. pos + t - 1 (the last query sees them all)
  const float* kc = m_key_cache.data() + static_cast<std::size_t>(layer) * static_cast<std::size_t>(m_kv_positions) * kv_dim;
  const float* vc = m_value_cache.data() + static_cast<std::size_t>(layer) * static_cast<std::size_t>(m_kv_positions) * kv_dim;
  const float norm = std::sqrt(static_cast<float>(hd));
  const arch::NumberFormat f = operand_format(m_opts.precision);
  const bool int16 = m_opts.heal.int16_qkv, lo = m_opts.heal.compensated && !int16;
  const arch::PeNumerics int16_pes{arch::NumberFormat::Int16, arch::NumberFormat::Int32, true, arch::NumberFormat::Int32};
  const int qk_max = int16_qk_max(hd);
  float* scores = m_scores.data();  // (T, S)
  double* px_lo = lo ? m_px_lo.data() : nullptr;
  double* pk_lo = lo ? m_pk_lo.data() : nullptr;
  for (int h = 0; h < m_cfg.n_heads; ++h) {
    const int kv_off = (h / kv_mul) * hd;
    GemmId id;
    id.layer = layer, id.stage = stage, id.head = h, id.pos_begin = pos, id.pos_end = pos + t;
    // Scores (T, S) = Q_h (T, hd) * K_h^T (hd, S): element (d, s) of K_h^T = kc[s * kv_dim + kv_off + d].
    id.component = Component::QK;
    if (int16) {
      quantize_int16(m_q.data() + h * hd, t, hd, dim, 1, /*per_row=*/true, qk_max, m_px.data(), hd, m_pscale.data());
      quantize_int16(kc + kv_off, hd, s_len, 1, kv_dim, /*per_row=*/false, qk_max, m_pk.data(), s_len,
                     m_pscale_w.data());
      NumericGemmArgs a;
      a.m = t, a.n = s_len, a.k = hd;
      a.x = m_px.data(), a.ldx = hd, a.w = m_pk.data(), a.ldw = s_len, a.y = m_py.data(), a.ldy = s_len;
      run_numeric_gemm(id, a, &int16_pes);
      dequantize_int16(m_py.data(), t, s_len, m_pscale.data(), 0.0f, m_pscale_w.data(), scores, s_len);
    } else {
      round_operand(m_q.data() + h * hd, t, hd, dim, 1, f, m_px.data(), px_lo, hd);
      round_operand(kc + kv_off, hd, s_len, 1, kv_dim, f, m_pk.data(), pk_lo, s_len);
      pe_gemm(id, t, s_len, hd, m_px.data(), px_lo, hd, m_pk.data(), pk_lo, s_len, scores, s_len, false);
    }
    softmax_causal(scores, t, s_len, pos, norm);

    // Out_h (T, hd) = P (T, S) * V_h (S, hd).
    id.component = Component::PV;
    float* out = m_att_out.data() + h * hd;
    if (int16) {
      quantize_probabilities_int16(scores, t, s_len, s_len, m_px.data(), s_len);
      quantize_int16(vc + kv_off, s_len, hd, kv_dim, 1, /*per_row=*/false, kInt16ValueMax, m_pk.data(), hd,
                     m_pscale_w.data());
      NumericGemmArgs a;
      a.m = t, a.n = hd, a.k = s_len;
      a.x = m_px.data(), a.ldx = s_len, a.w = m_pk.data(), a.ldw = hd, a.y = m_py.data(), a.ldy = hd;
      run_numeric_gemm(id, a, &int16_pes);
      dequantize_int16(m_py.data(), t, hd, nullptr, kInt16ProbabilityScale, m_pscale_w.data(), out, dim);
    } else {
      round_operand(scores, t, s_len, s_len, 1, f, m_px.data(), px_lo, s_len);
      round_operand(vc + kv_off, s_len, hd, kv_dim, 1, f, m_pk.data(), pk_lo, hd);
      pe_gemm(id, t, hd, s_len, m_px.data(), px_lo, s_len, m_pk.data(), pk_lo, hd, out, dim, false);
    }
  }
}

std::span<const float> Transformer::forward(std::span<const int> tokens, int pos, Stage stage, bool all_logits) {
  const int t = static_cast<int>(tokens.size());
  if (t == 0) throw std::invalid_argument("Transformer::forward: no tokens");
  if (pos < 0 || pos + t > m_cfg.seq_len) {
    throw std::out_of_range("Transformer::forward: positions [" + std::to_string(pos) + ", " + std::to_string(pos + t) +
                            ") exceed the context of " + std::to_string(m_cfg.seq_len));
  }
  if (m_opts.precision != Precision::FP32 && m_engine == nullptr) {
    throw std::logic_error("Transformer::forward: " + std::string(to_string(m_opts.precision)) +
                           " inference needs a GemmEngine");
  }
  ensure_kv(pos + t);
  ensure_capacity(t);
  const int dim = m_cfg.dim, hidden = m_cfg.hidden_dim, kv_dim = m_cfg.kv_dim();
  const LlamaWeights& w = m_ckpt->weights();

  // x (T, dim) = token embeddings (E wide, then project_in when E != dim) [+ learned positions].
  const BlockStyle& style = m_cfg.style;
  const int e_dim = m_cfg.embedding_dim();
  float* emb = style.projected() ? m_emb.data() : m_x.data();  // (T, E)
  for (int i = 0; i < t; ++i) {
    const int tok = tokens[static_cast<std::size_t>(i)];
    if (tok < 0 || tok >= m_cfg.vocab_size) {
      throw std::out_of_range("Transformer::forward: token id " + std::to_string(tok) + " outside the vocabulary");
    }
    std::copy_n(w.token_embedding + static_cast<std::size_t>(tok) * e_dim, e_dim,
                emb + static_cast<std::size_t>(i) * e_dim);
  }
  if (style.projected()) matmul_wt(emb, t, e_dim, w.project_in, dim, m_x.data());
  if (style.positions == PositionKind::Learned) {
    for (int i = 0; i < t; ++i) {
      const float* row = w.position_embedding + static_cast<std::size_t>(pos + i + style.position_offset) * dim;
      float* x = m_x.data() + static_cast<std::size_t>(i) * dim;
      for (int j = 0; j < dim; ++j) x[j] += row[j];
    }
  }
  const auto rows_of = [](const float* p, int l, int n) {
    return p == nullptr ? nullptr : p + static_cast<std::size_t>(l) * static_cast<std::size_t>(n);
  };
  // The sub-block input: the normed stream (pre-norm) or the stream itself (post-norm, normed after the add).
  const auto block_input = [&](const float* norm_w, const float* norm_b) {
    if (style.post_norm) {
      std::copy_n(m_x.data(), static_cast<std::size_t>(t) * dim, m_xb.data());
    } else {
      apply_norm(style.norm, m_xb.data(), m_x.data(), norm_w, norm_b, t, dim, m_cfg.norm_eps);
    }
  };
  const auto block_output = [&](const float* norm_w, const float* norm_b) {
    if (style.post_norm) apply_norm(style.norm, m_x.data(), m_x.data(), norm_w, norm_b, t, dim, m_cfg.norm_eps);
  };

  const bool w8a8_attention = m_opts.precision == Precision::W8A8 && m_opts.quant.quantize_attention;
  const std::int64_t hidden_values = static_cast<std::int64_t>(t) * hidden;
  for (int l = 0; l < m_cfg.n_layers; ++l) {
    // Attention block: x += O(attention(Q(h), K(h), V(h))), h the block input.
    const float* att_w = rows_of(w.rms_att, l, dim);
    const float* att_b = rows_of(w.norm_att_bias, l, dim);
    block_input(att_w, att_b);
    const std::size_t cache_row = (static_cast<std::size_t>(l) * static_cast<std::size_t>(m_kv_positions) + static_cast<std::size_t>(pos));
    float* k_rows = m_key_cache.data() + cache_row * kv_dim;    // (T, kv_dim) of this layer at pos
    float* v_rows = m_value_cache.data() + cache_row * kv_dim;  // (T, kv_dim)
    linear(l, Component::Q, m_xb.data(), t, pos, stage, m_q.data(), dim, false);
    linear(l, Component::K, m_xb.data(), t, pos, stage, k_rows, kv_dim, false);
    linear(l, Component::V, m_xb.data(), t, pos, stage, v_rows, kv_dim, false);
    if (style.positions == PositionKind::Rope) {
      for (int i = 0; i < t; ++i) {
        m_rope.apply(m_q.data() + static_cast<std::size_t>(i) * dim, dim, pos + i);
        m_rope.apply(k_rows + static_cast<std::size_t>(i) * kv_dim, kv_dim, pos + i);
      }
    }
    if (w8a8_attention) {
      attention_w8a8(l, t, pos, stage);
    } else if (on_float_pes(m_opts.precision) && m_opts.quant.quantize_attention) {
      attention_pe(l, t, pos, stage);
    } else {
      attention_fp32(l, t, pos);
    }
    linear(l, Component::O, m_att_out.data(), t, pos, stage, m_x.data(), dim, /*add=*/true);
    block_output(att_w, att_b);

    // MLP block: x += Down(silu(Gate(h)) * Up(h)) (SwiGLU) or Down(act(Up(h))).
    const float* mlp_w = rows_of(w.rms_ffn, l, dim);
    const float* mlp_b = rows_of(w.norm_ffn_bias, l, dim);
    block_input(mlp_w, mlp_b);
    if (style.gated()) {
      linear(l, Component::Gate, m_xb.data(), t, pos, stage, m_hb.data(), hidden, false);
      linear(l, Component::Up, m_xb.data(), t, pos, stage, m_hb2.data(), hidden, false);
      swiglu(m_hb.data(), m_hb2.data(), hidden_values);
    } else {
      linear(l, Component::Up, m_xb.data(), t, pos, stage, m_hb.data(), hidden, false);
      if (style.mlp == MlpKind::Relu) {
        relu(m_hb.data(), hidden_values);
      } else {
        gelu_tanh(m_hb.data(), hidden_values);
      }
    }
    linear(l, Component::Down, m_hb.data(), t, pos, stage, m_x.data(), dim, /*add=*/true);
    block_output(mlp_w, mlp_b);
  }

  // Final norm [, project_out] and the FP32 classifier, for all rows or only the last.
  const int first = all_logits ? 0 : t - 1;
  const int rows = t - first;
  float* xf = m_x.data() + static_cast<std::size_t>(first) * dim;
  if (style.final_norm) apply_norm(style.norm, xf, xf, w.rms_final, w.norm_final_bias, rows, dim, m_cfg.norm_eps);
  if (style.projected()) {
    matmul_wt(xf, rows, dim, w.project_out, e_dim, m_emb.data());
    xf = m_emb.data();
  }
  matmul_wt(xf, rows, e_dim, w.classifier, m_cfg.vocab_size, m_logits.data());
  return {m_logits.data(), static_cast<std::size_t>(rows) * static_cast<std::size_t>(m_cfg.vocab_size)};
}

}  // namespace saffire::models::llm
