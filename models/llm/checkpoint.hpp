#pragma once
// llama2.c checkpoints: the legacy fp32 format (7-int header), the v1 "ak42" fp32 export and the v2 "ak42" Q8_0
// export (256-byte headers).
//
// Legacy: int32 dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size (negative: separate classifier),
// seq_len; then fp32 token_embedding, rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3, rms_final, legacy RoPE
// tables (2 * seq_len * head_size/2 floats, skipped), [classifier].
// v1: uint32 magic 0x616b3432 ("ak42"), int32 version 1, the 7 int32 above (vocab_size positive), uint8
// shared_classifier, zero padding to 256 bytes; then fp32 rms_att, rms_ffn, rms_final, token_embedding, wq, wk,
// wv, wo, w1, w2, w3, [classifier].
// v2 (Q8_0): magic, int32 version 2, the 7 int32, uint8 shared_classifier, int32 group_size, zero padding to 256
// bytes; then fp32 rms_att, rms_ffn, rms_final; then Q8_0 tensors token_embedding, wq of each layer, wk, wv, wo,
// w1, w2, w3 (one tensor per layer), [classifier], each as int8 values (its elements, row-major) followed by one
// fp32 scale per group of group_size consecutive elements: w = q * scale (llama2.c's runq.c layout; the groups
// run over the flattened tensor, so they may straddle rows). Dequantized, the weights are the FP32 model's
// within half a scale.
// Every matrix is row-major [out_features][in_features] (y = W x). The loader checks the header values and the
// exact file size, and that every weight is finite.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "models/engine/gemm_id.hpp"
#include "models/llm/config.hpp"
#include "models/llm/projection_source.hpp"

namespace saffire::models::llm {

enum class CheckpointFormat { Legacy, V1, HuggingFace, V2Q80, Gguf };
std::string_view to_string(CheckpointFormat f);  // "legacy", "v1", "huggingface", "v2-q8_0", "gguf"

/// What a loader keeps in memory. Fp32: every tensor converted into the FP32 buffer (FP32 inference needs it).
/// MappedProjections: the seven projection matrices (wq .. w3) stay in the memory-mapped file and are read row
/// by row when the W8A8 transformer quantizes them (weights().wq .. w3 are nullptr); everything else (embedding,
/// norms, biases, classifier) is FP32 as before. A BF16 model then needs its INT8 weights plus the mapped pages,
/// not an FP32 copy of itself.
enum class WeightStorage : std::uint8_t { Fp32, MappedProjections };

/// Views of the fp32 weights (owned by the Checkpoint). Shapes as (dims...), row-major.
struct LlamaWeights {
  const float* token_embedding = nullptr;  // (vocab_size, E): E = dim unless config.style.embed_dim
  const float* rms_att = nullptr;          // (n_layers, dim)
  const float* wq = nullptr;               // (n_layers, n_heads * head_size, dim)
  const float* wk = nullptr;               // (n_layers, n_kv_heads * head_size, dim)
  const float* wv = nullptr;               // (n_layers, n_kv_heads * head_size, dim)
  const float* wo = nullptr;               // (n_layers, dim, n_heads * head_size)
  const float* rms_ffn = nullptr;          // (n_layers, dim)
  const float* w1 = nullptr;               // (n_layers, hidden_dim, dim)  gate (nullptr without one)
  const float* w2 = nullptr;               // (n_layers, dim, hidden_dim)  down
  const float* w3 = nullptr;               // (n_layers, hidden_dim, dim)  up
  const float* rms_final = nullptr;        // (dim) (nullptr without a final norm)
  const float* classifier = nullptr;       // (vocab_size, E); == token_embedding when shared
  // Hugging Face blocks other than LLaMA's (nullptr when the config's BlockStyle has none). E = embedding_dim().
  const float* bq = nullptr;                  // (n_layers, dim)
  const float* bk = nullptr;                  // (n_layers, kv_dim)
  const float* bv = nullptr;                  // (n_layers, kv_dim)
  const float* bo = nullptr;                  // (n_layers, dim)
  const float* b_up = nullptr;                // (n_layers, hidden_dim)
  const float* b_down = nullptr;              // (n_layers, dim)
  const float* norm_att_bias = nullptr;       // (n_layers, dim) LayerNorm biases; weights in rms_att
  const float* norm_ffn_bias = nullptr;       // (n_layers, dim); weights in rms_ffn
  const float* norm_final_bias = nullptr;     // (dim); weights in rms_final
  const float* position_embedding = nullptr;  // (position_rows, dim) learned positions
  const float* project_in = nullptr;          // (dim, E) embedding -> residual stream (OPT-350m)
  const float* project_out = nullptr;         // (E, dim) residual stream -> classifier input
};

/// A loaded model: config plus the fp32 weights in one owned buffer. Movable, not copyable (the weight
/// views point into the buffer, which a move keeps in place).
class Checkpoint {
 public:
  Checkpoint() = default;
  Checkpoint(const Checkpoint&) = delete;
  Checkpoint& operator=(const Checkpoint&) = delete;
  Checkpoint(Checkpoint&&) noexcept = default;
  Checkpoint& operator=(Checkpoint&&) noexcept = default;

  /// Builds a checkpoint from weights in canonical (legacy) order without the RoPE tables: token_embedding,
  /// rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3, rms_final, [classifier], then the non-LLaMA tensors in the order
  /// of LlamaWeights (bq .. project_out; those the BlockStyle lacks are absent). Throws std::invalid_argument when
  /// the config is invalid or the size does not match. Used for synthetic models and format conversion.
  static Checkpoint from_weights(const LlamaConfig& config, std::vector<float> canonical);
  /// The same for weights read from `path` in `format` (the Hugging Face loader builds its checkpoints so).
  static Checkpoint from_weights(const LlamaConfig& config, std::vector<float> canonical, std::filesystem::path path,
                                 CheckpointFormat format);

  const LlamaConfig& config() const { return m_config; }
  const LlamaWeights& weights() const { return m_weights; }
  CheckpointFormat format() const { return m_format; }
  const std::filesystem::path& path() const { return m_path; }

  /// True when weights().wq .. w3 are FP32 views (WeightStorage::Fp32); false when they stay in the file.
  bool has_fp32_projections() const { return m_projections == nullptr; }
  /// Row `row` of projection `c` (Q, K, V, O, Gate = w1, Up = w3, Down = w2; (out, in) row-major) of `layer` as
  /// FP32 into out (its `in` values), from the FP32 buffer or the mapped file: the same values either way.
  void projection_row(Component c, int layer, std::int64_t row, std::span<float> out) const;
  /// Done with projection (c, layer) for now: a mapped one's file pages leave the resident set (no-op for FP32).
  void release_projection(Component c, int layer) const {
    if (m_projections != nullptr) m_projections->release(c, layer);
  }
  /// Bytes of FP32 weights this checkpoint holds in memory (all of them, or all but the projections).
  std::int64_t resident_fp32_bytes() const { return 4 * static_cast<std::int64_t>(m_data.size()); }

  /// Builds a checkpoint whose projections stay in `projections` (the Hugging Face loader): `resident` holds
  /// the canonical tensors other than wq .. w3, in canonical order.
  static Checkpoint with_mapped_projections(const LlamaConfig& config, std::vector<float> resident,
                                            std::shared_ptr<const ProjectionSource> projections,
                                            std::filesystem::path path, CheckpointFormat format);

 private:
  friend Checkpoint load_checkpoint(const std::filesystem::path& path, WeightStorage storage);
  void bind_canonical();  // sets m_weights for canonical order (projections skipped when they are mapped)

  LlamaConfig m_config;
  CheckpointFormat m_format = CheckpointFormat::Legacy;
  std::filesystem::path m_path;
  std::vector<float> m_data;  // all weights, canonical order (legacy order without the RoPE tables)
  LlamaWeights m_weights;
  std::shared_ptr<const ProjectionSource> m_projections;  // set when wq .. w3 stay in the file
};

/// Loads a legacy, v1 or v2 (Q8_0) checkpoint, memory-mapped. Throws ModelFileError naming the file and what is
/// wrong (missing, header value out of range, unsupported version, a group size that does not divide dim, size
/// mismatch with the expected size, non-finite weight or scale). With MappedProjections the mapping stays open
/// and a non-finite projection weight is reported when the W8A8 transformer reads it.
Checkpoint load_checkpoint(const std::filesystem::path& path, WeightStorage storage = WeightStorage::Fp32);

/// Writes `ckpt` in the given format, Legacy or V1 (legacy files get freshly computed RoPE tables). Throws
/// ModelFileError; std::invalid_argument for HuggingFace (not written here).
void save_checkpoint(const Checkpoint& ckpt, const std::filesystem::path& path, CheckpointFormat format);

/// The largest-magnitude weight of a checkpoint: tensor name, index in it and value (a diagnostic for models
/// whose finite weights still overflow FP32 activations).
struct WeightExtreme {
  std::string tensor;
  std::int64_t index = 0;
  float value = 0.0f;
};
WeightExtreme largest_weight(const Checkpoint& ckpt);

/// Expected total file size in bytes of a llama2.c checkpoint (Legacy or V1) with this config in this format.
std::int64_t checkpoint_file_size(const LlamaConfig& config, CheckpointFormat format);
/// The same for a v2 (Q8_0) export with this group size.
std::int64_t q80_file_size(const LlamaConfig& config, std::int32_t group_size);

/// Where projection `c` (Q .. Down) lies in the canonical FP32 buffer: its first float (layer 0) and the floats
/// of one layer (0 when the block has none, e.g. Gate of a non-gated MLP).
struct CanonicalRange {
  std::int64_t begin = 0;
  std::int64_t per_layer = 0;
};
CanonicalRange canonical_projection_range(const LlamaConfig& config, Component c);

/// Floats of the canonical weight buffer for this config (token_embedding .. rms_final, [classifier]); throws
/// std::overflow_error when that overflows int64.
std::int64_t canonical_weight_floats(const LlamaConfig& config);

}  // namespace saffire::models::llm
