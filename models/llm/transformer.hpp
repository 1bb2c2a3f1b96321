#pragma once
// Transformer: the decoder forward pass over a Checkpoint, in FP32 or W8A8, for every block the config's
// BlockStyle describes (LLaMA/Mistral/Qwen2, OPT, GPT-2).
//
// LLaMA's block: x += O(attention(RoPE(Q(rmsnorm(x))), RoPE(K(..)), V(..))); x += Down(silu(Gate(h)) * Up(h)),
// h = rmsnorm(x); then rmsnorm and the FP32 classifier. The style changes the pieces, never the GEMMs: RMSNorm
// or LayerNorm; RoPE or learned positions added to the embedding (at pos + offset); biases added to Q, K, V,
// O, Up, Down after the GEMM; SwiGLU or a non-gated Down(act(Up(h))) MLP (no Gate call); pre- or post-norm
// (the norm after each residual add); project_in/out (FP32, like the classifier) around an embedding narrower
// than dim. Grouped-query attention (query head h reads KV head h / kv_mul), a KV cache of up to seq_len positions,
// allocated as the positions are used (eval's ctx, generate's steps), not for seq_len up front.
//
// forward() runs T tokens at positions [pos, pos+T) as one batched pass: every projection is a GEMM with
// M = T rows, attention is causal inside the batch and also reads the cached positions < pos. Prefill is a
// whole prompt or paragraph at once; decode is T = 1.
//
// W8A8 (ReaLM's fake-quantized W8A8, computed for real in INT8): weights quantized once at construction,
// stored as W^T (in, out) int8; activations quantized per call; each of the nine GEMM kinds (Q, K, V, O, Gate,
// Up, Down, and per query head QK^T = Q_h (T, hd) * K_h^T (hd, S) and PV = P (T, S) * V_h (S, hd)) is one
// GemmEngine::gemm call with its GemmId, INT32 accumulation, then FP32 dequantization. The second operand of
// the attention products (K_h^T, V_h) is quantized per call like a weight: per column (per key position for
// K^T, per channel for V) or per tensor, following the weight granularity.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "arch/numerics/number_format.hpp"
#include "models/engine/gemm_engine.hpp"
#include "models/llm/checkpoint.hpp"
#include "models/llm/gemm_hook.hpp"
#include "models/llm/ops.hpp"
#include "models/llm/quantize.hpp"

namespace saffire::models::llm {

// FP32 (no engine), W8A8 (INT8 GEMMs on the engine), or every GEMM on the engine's floating-point PEs with
// operands of that format (GemmEngine::numeric_gemm; pe_operands.hpp says what is rounded where).
enum class Precision : std::uint8_t { FP32, W8A8, FP16, BF16, FP8E4M3, FP8E5M2 };
std::string_view to_string(Precision p);           // "fp32", "w8a8", "fp16", "bf16", "fp8-e4m3", "fp8-e5m2"
Precision parse_precision(std::string_view name);  // the names above and "fp8" (= fp8-e4m3); throws
                                                   // std::invalid_argument listing valid names
/// True for the precisions whose GEMMs run on floating-point PEs (fp16, bf16, fp8-*).
bool on_float_pes(Precision p);
/// The PEs' operand format of such a precision (throws std::invalid_argument for fp32 and w8a8).
arch::NumberFormat operand_format(Precision p);

/// HEAL's mitigations for the floating-point precisions (pe_operands.hpp).
struct HealOptions {
  bool int16_qkv = false;    // QK^T and PV as INT16 x INT16 -> INT32 products of INT16 Q, K, V (and P)
  bool compensated = false;  // every other GEMM as three: hi*hi + (hi*lo + lo*hi), FP32 operands split
};

struct QuantOptions {
  WeightGranularity weights = WeightGranularity::PerChannel;
  ActivationGranularity activations = ActivationGranularity::PerToken;
  bool quantize_attention = true;  // false: QK^T and PV stay FP32 (no engine calls for them)
};

struct InferenceOptions {
  Precision precision = Precision::FP32;
  QuantOptions quant;  // W8A8; quantize_attention = false also keeps QK^T and PV in FP32 on float PEs
  HealOptions heal;    // floating-point precisions only
};

/// A projection's weight operand on floating-point PEs: W^T (in, out) rounded to the operand format once
/// (hi) and, for the compensated GEMM, its scaled low part.
struct PeLinear {
  std::int64_t k = 0, n = 0;
  std::vector<double> hi;  // (k, n) row-major
  std::vector<double> lo;  // (k, n), empty unless compensated
};

/// INT8 weight operand of one projection: W^T quantized once at load.
struct QuantizedLinear {
  std::int64_t k = 0, n = 0;   // in_features, out_features
  std::vector<std::int8_t> q;  // (k, n) int8 row-major: q[i * n + j] ~ W[j][i] / scales[j]
  std::vector<float> scales;   // (n) per output channel, or (1) per tensor
};

/// Quantizes a llama2.c weight W (out, in) row-major into the (in, out) INT8 operand.
QuantizedLinear quantize_linear(const float* w, std::int64_t out, std::int64_t in, WeightGranularity granularity);
/// Bytes of a model's W8A8 weight operands (INT8 values and FP32 scales of Q, K, V, O, [Gate], Up, Down).
std::int64_t w8a8_weight_bytes(const LlamaConfig& config, WeightGranularity granularity);
/// The same operand for projection `c` (W (out, in)) of `layer`, read row by row from the checkpoint (its FP32
/// buffer or its mapped file), so no FP32 copy of the matrix is made; equal to quantize_linear of the FP32 rows.
QuantizedLinear quantize_projection(const Checkpoint& ckpt, Component c, int layer, std::int64_t out, std::int64_t in,
                                    WeightGranularity granularity);

class Transformer {
 public:
  /// `ckpt` must outlive the transformer (its FP32 weights are used in place). W8A8 needs an engine (here or
  /// through set_engine before the first forward); FP32 never calls one. W8A8 quantizes the projections from
  /// Checkpoint::projection_row (so a checkpoint loaded with MappedProjections works); the other precisions
  /// need FP32 projections (std::invalid_argument otherwise).
  explicit Transformer(const Checkpoint& ckpt, const InferenceOptions& options = {}, GemmEngine* engine = nullptr);

  const LlamaConfig& config() const { return m_cfg; }
  const InferenceOptions& options() const { return m_opts; }
  void set_engine(GemmEngine* engine) { m_engine = engine; }
  GemmEngine* engine() const { return m_engine; }
  void set_hook(GemmHook* hook) { m_hook = hook; }

  /// Starts a new sequence: GemmId::sequence = `sequence`, call indices restart at 0. The KV cache needs no
  /// clearing (a sequence starts at position 0 and overwrites it).
  void begin_sequence(int sequence);
  int sequence() const { return m_sequence; }
  /// Positions the KV cache has room for (grown on demand up to seq_len).
  int kv_positions() const { return m_kv_positions; }
  /// GEMM calls issued so far in the current sequence (the next call's GemmId::call_index).
  std::int64_t call_index() const { return m_call_index; }

  /// Runs tokens (T) at positions [pos, pos + T) as one pass, reading and extending the KV cache. Returns the
  /// logits: (T, vocab) row-major when all_logits, else (1, vocab) of the last token. The view is valid until the
  /// next forward. Throws std::out_of_range when a token id or position is outside the model.
  std::span<const float> forward(std::span<const int> tokens, int pos, Stage stage, bool all_logits);

  /// forward(tokens, pos, Prefill, all_logits)
  std::span<const float> prefill(std::span<const int> tokens, int pos = 0, bool all_logits = false) {
    return forward(tokens, pos, Stage::Prefill, all_logits);
  }
  /// forward({token}, pos, Decode, false)
  std::span<const float> decode(int token, int pos) { return forward({&token, 1}, pos, Stage::Decode, false); }

 private:
  // One projection Y (T, out) (= or +=) X (T, in) * W^T of layer `layer`.
  void linear(int layer, Component c, const float* x, int t, int pos, Stage stage, float* y, std::int64_t ldy,
              bool add);
  // The bias of a projection of `layer` (nullptr when the block has none).
  const float* bias(int layer, Component c) const;
  // Causal attention of all heads for T queries at positions [pos, pos + T); writes m_att_out (T, dim).
  void attention_fp32(int layer, int t, int pos);
  void attention_w8a8(int layer, int t, int pos, Stage stage);
  void attention_pe(int layer, int t, int pos, Stage stage);
  // One GEMM on floating-point PEs: Y (m, n) (= or +=) X * W, operands prepared by round_operand (x_lo, w_lo:
  // the compensated low parts, null without compensation); three engine calls when compensated.
  void pe_gemm(GemmId id, std::int64_t m, std::int64_t n, std::int64_t k, const double* x, const double* x_lo,
               std::int64_t ldx, const double* w, const double* w_lo, std::int64_t ldw, float* y, std::int64_t ldy,
               bool add);
  // numeric_gemm (or numeric_gemm_as `numerics` when given) through the engine; fills in call_index and sequence.
  void run_numeric_gemm(GemmId id, const NumericGemmArgs& args, const arch::PeNumerics* numerics = nullptr);
  // Quantized GEMM through the engine with hooks; fills in call_index and sequence.
  void run_gemm(GemmId id, const Int8GemmArgs& args, std::span<const float> x_scales, std::span<const float> w_scales);
  void ensure_capacity(int t);
  // Grows the KV cache (and RoPE table) to hold positions 0 .. positions - 1; throws ModelFileError naming the
  // checkpoint and the memory needed when it cannot be allocated.
  void ensure_kv(int positions);

  const Checkpoint* m_ckpt;
  LlamaConfig m_cfg;
  InferenceOptions m_opts;
  GemmEngine* m_engine;
  GemmHook* m_hook = nullptr;
  RopeTable m_rope;
  int m_sequence = 0;
  std::int64_t m_call_index = 0;

  // W8A8 weights: m_qweights[layer * 7 + c] for c = Q, K, V, O, Gate, Up, Down (Gate empty when not gated).
  std::vector<QuantizedLinear> m_qweights;
  // Floating-point PEs: the same slots, W^T in the operand format.
  std::vector<PeLinear> m_pe_weights;

  // KV cache: (n_layers, m_kv_positions, kv_dim), keys after RoPE; grown on demand to the positions used.
  int m_kv_positions = 0;
  int m_scratch_positions = 0;  // m_kv_positions when the scratch below was sized
  std::vector<float> m_key_cache;
  std::vector<float> m_value_cache;

  // Activations for up to m_capacity tokens (grown on demand, never shrunk).
  int m_capacity = 0;
  std::vector<float> m_x;        // (T, dim) residual stream
  std::vector<float> m_xb;       // (T, dim) normed input of a sub-block
  std::vector<float> m_q;        // (T, dim) queries after RoPE
  std::vector<float> m_att_out;  // (T, dim) attention output, heads side by side
  std::vector<float> m_hb;       // (T, hidden_dim) gate, then silu(gate) * up
  std::vector<float> m_hb2;      // (T, hidden_dim) up
  std::vector<float> m_scores;   // (T, m_kv_positions) scores, then probabilities, of one head
  std::vector<float> m_logits;   // (T, vocab_size)
  std::vector<float> m_emb;      // (T, E) token embeddings / project_out output when E != dim
  // W8A8 scratch.
  std::vector<std::int8_t> m_qx;    // (T, max(dim, hidden_dim, m_kv_positions)) quantized X operand
  std::vector<float> m_sx;          // (T) its scales
  std::vector<std::int32_t> m_acc;  // (T, max(dim, hidden_dim, m_kv_positions)) INT32 GEMM output
  std::vector<std::int8_t> m_qkt;   // (head_size, m_kv_positions) K_h^T of one KV head
  std::vector<float> m_sk;          // (m_kv_positions) or (1)
  std::vector<std::int8_t> m_qv;    // (m_kv_positions, head_size) V_h of one KV head
  std::vector<float> m_sv;          // (head_size) or (1)
  // Floating-point PE scratch (operands and outputs as doubles of their formats).
  std::vector<double> m_px, m_px_lo;      // (T, widest) X operand and its compensated low part
  std::vector<double> m_pk, m_pk_lo;      // (head_size, S) K_h^T, or (S, head_size) V_h
  std::vector<double> m_py, m_py2, m_py3;  // (T, widest) outputs (hi*hi, hi*lo, lo*hi)
  std::vector<float> m_pscale;            // (max(T, S, head_size)) INT16 scales of the X operand
  std::vector<float> m_pscale_w;          // (max(S, head_size)) INT16 scales of K^T / V
};

}  // namespace saffire::models::llm
