#include "models/llm/checkpoint.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <memory>
#include <string>
#include <utility>

#include "arch/checked_size.hpp"
#include "arch/memory_budget.hpp"
#include "models/llm/mapped_file.hpp"
#include "models/llm/model_files.hpp"

namespace saffire::models::llm {

static_assert(std::endian::native == std::endian::little, "checkpoint files are little-endian");

namespace fs = std::filesystem;

namespace {

constexpr std::uint32_t kV1Magic = 0x616b3432;  // "ak42"
constexpr std::int64_t kLegacyHeaderBytes = 7 * 4;
constexpr std::int64_t kV1HeaderBytes = 256;

// The weight tensors; canonical order is the enum order (llama2.c legacy order without the RoPE tables).
// The tensors after the classifier exist only for Hugging Face blocks other than LLaMA's (size 0 otherwise).
enum Tensor {
  kEmb, kRmsAtt, kWq, kWk, kWv, kWo, kRmsFfn, kW1, kW2, kW3, kRmsFinal, kCls,
  kBq, kBk, kBv, kBo, kBUp, kBDown, kNormAttBias, kNormFfnBias, kNormFinalBias, kPosEmb, kProjIn, kProjOut,
  kNumTensors
};
constexpr std::array<const char*, kNumTensors> kTensorNames = {
    "token_embedding", "rms_att", "wq", "wk", "wv", "wo", "rms_ffn", "w1", "w2", "w3", "rms_final", "classifier",
    "bq", "bk", "bv", "bo", "b_up", "b_down", "norm_att_bias", "norm_ffn_bias", "norm_final_bias",
    "position_embedding", "project_in", "project_out"};

// Checked int64 arithmetic (arch/checked_size's rule): a header whose sizes overflow is an error, never a
// wrapped size; load_checkpoint names the file around it.
std::int64_t checked_mul(std::int64_t a, std::int64_t b) { return arch::checked_mul(a, b, "checkpoint floats"); }
std::int64_t checked_add(std::int64_t a, std::int64_t b) { return arch::checked_add(a, b, "checkpoint floats"); }
std::int64_t checked_mul(std::int64_t a, std::int64_t b, std::int64_t c) { return checked_mul(checked_mul(a, b), c); }

// Floats in each tensor (classifier 0 when shared, the tensors a block lacks 0).
std::array<std::int64_t, kNumTensors> tensor_sizes(const LlamaConfig& c) {
  const std::int64_t d = c.dim, h = c.hidden_dim, l = c.n_layers, v = c.vocab_size, kv = c.kv_dim();
  const std::int64_t e = c.embedding_dim();
  const BlockStyle& s = c.style;
  const bool ln = s.norm == NormKind::LayerNorm;
  return {checked_mul(v, e),
          checked_mul(l, d),
          checked_mul(l, d, d),
          checked_mul(l, kv, d),
          checked_mul(l, kv, d),
          checked_mul(l, d, d),
          checked_mul(l, d),
          s.gated() ? checked_mul(l, h, d) : 0,
          checked_mul(l, d, h),
          checked_mul(l, h, d),
          s.final_norm ? d : 0,
          c.shared_classifier ? 0 : checked_mul(v, e),
          s.qkv_bias ? checked_mul(l, d) : 0,
          s.qkv_bias ? checked_mul(l, kv) : 0,
          s.qkv_bias ? checked_mul(l, kv) : 0,
          s.o_bias ? checked_mul(l, d) : 0,
          s.mlp_bias ? checked_mul(l, h) : 0,
          s.mlp_bias ? checked_mul(l, d) : 0,
          ln ? checked_mul(l, d) : 0,
          ln ? checked_mul(l, d) : 0,
          ln && s.final_norm ? d : 0,
          s.positions == PositionKind::Learned ? checked_mul(s.position_rows, d) : 0,
          s.projected() ? checked_mul(d, e) : 0,
          s.projected() ? checked_mul(e, d) : 0};
}

// The view of each tensor (nullptr for a shared classifier and for tensors of size 0).
std::array<const float*, kNumTensors> tensor_views(const LlamaWeights& w, const LlamaConfig& c) {
  return {w.token_embedding, w.rms_att, w.wq, w.wk, w.wv, w.wo, w.rms_ffn, w.w1, w.w2, w.w3, w.rms_final,
          c.shared_classifier ? nullptr : w.classifier, w.bq, w.bk, w.bv, w.bo, w.b_up, w.b_down,
          w.norm_att_bias, w.norm_ffn_bias, w.norm_final_bias, w.position_embedding, w.project_in, w.project_out};
}

std::int64_t total_floats(const LlamaConfig& c) {
  std::int64_t floats = 0;
  for (const auto n : tensor_sizes(c)) floats = checked_add(floats, n);
  return floats;
}

// "1056512 bytes (1.0 MiB)"
std::string bytes_text(std::int64_t bytes) {
  char buf[64];
  const double b = static_cast<double>(bytes);
  if (b >= 1024.0 * 1024.0 * 1024.0) {
    std::snprintf(buf, sizeof buf, " (%.1f GiB)", b / (1024.0 * 1024.0 * 1024.0));
  } else {
    std::snprintf(buf, sizeof buf, " (%.1f MiB)", b / (1024.0 * 1024.0));
  }
  return std::to_string(bytes) + " bytes" + buf;
}

// Legacy RoPE tables: freq_cis_real and freq_cis_imag, each (seq_len, head_size / 2).
std::int64_t legacy_rope_floats(const LlamaConfig& c) { return checked_mul(2, c.seq_len, c.head_size() / 2); }

// Order of the tensors in a file of this format (kNumTensors marks the legacy RoPE tables).
std::vector<int> file_order(CheckpointFormat f) {
  if (f == CheckpointFormat::V1 || f == CheckpointFormat::V2Q80) {
    return {kRmsAtt, kRmsFfn, kRmsFinal, kEmb, kWq, kWk, kWv, kWo, kW1, kW2, kW3, kCls};
  }
  return {kEmb, kRmsAtt, kWq, kWk, kWv, kWo, kRmsFfn, kW1, kW2, kW3, kRmsFinal, kNumTensors, kCls};
}

std::int32_t read_i32(const unsigned char* p) {
  std::int32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

void write_i32(std::ofstream& out, std::int32_t v) { out.write(reinterpret_cast<const char*>(&v), sizeof v); }

}  // namespace

namespace {

// Where a canonical tensor lies in a llama2.c file: fp32 at `offset`, or Q8_0 blocks of `layers` tensors of
// `per_layer` elements, each its int8 values then its fp32 group scales.
struct FileTensor {
  std::int64_t offset = 0;
  bool q80 = false;
  std::int64_t layers = 1;
  std::int64_t per_layer = 0;
};

std::int64_t q80_block_bytes(std::int64_t elements, std::int32_t group_size) {
  return checked_add(elements, checked_mul(4, elements / group_size));
}

bool is_layered(int t) { return t == kWq || t == kWk || t == kWv || t == kWo || t == kW1 || t == kW2 || t == kW3; }

// The canonical tensor of a projection and its (out, in) shape per layer.
int projection_tensor(Component c) {
  switch (c) {
    case Component::Q: return kWq;
    case Component::K: return kWk;
    case Component::V: return kWv;
    case Component::O: return kWo;
    case Component::Gate: return kW1;
    case Component::Up: return kW3;
    case Component::Down: return kW2;
    case Component::QK:
    case Component::PV: break;
  }
  throw std::invalid_argument("projection_row: " + std::string(to_string(c)) + " is not a weight projection");
}

constexpr std::array<Component, 7> kProjectionComponents = {Component::Q,    Component::K,  Component::V,
                                                            Component::O,    Component::Gate, Component::Up,
                                                            Component::Down};

std::pair<std::int64_t, std::int64_t> projection_shape(const LlamaConfig& c, Component comp) {
  const std::int64_t d = c.dim, h = c.hidden_dim, kv = c.kv_dim();
  switch (comp) {
    case Component::K:
    case Component::V: return {kv, d};
    case Component::Gate:
    case Component::Up: return {h, d};
    case Component::Down: return {d, h};
    default: return {d, d};
  }
}

// Sizes of the tensors a checkpoint holds in m_data: the projections are 0 when they stay in the file.
std::array<std::int64_t, kNumTensors> resident_sizes(const LlamaConfig& c, bool mapped_projections) {
  auto sizes = tensor_sizes(c);
  if (mapped_projections) {
    for (int t = 0; t < kNumTensors; ++t) {
      if (is_layered(t)) sizes[t] = 0;
    }
  }
  return sizes;
}

std::string layer_tensor_name(int t, int layer) { return std::string(kTensorNames[t]) + " of layer " + std::to_string(layer); }

// Element e of a llama2.c tensor as FP32 (fp32 read, or Q8_0 dequantized q * scale).
class FileTensorReader {
 public:
  FileTensorReader(const std::byte* base, std::int32_t group_size) : m_base(base), m_group(group_size) {}
  /// Elements [e0, e0 + out.size()) of layer `layer` of `t`.
  void read(const FileTensor& t, std::int64_t layer, std::int64_t e0, std::span<float> out) const {
    const auto n = static_cast<std::int64_t>(out.size());
    if (!t.q80) {
      std::memcpy(out.data(), m_base + t.offset + 4 * (layer * t.per_layer + e0), static_cast<std::size_t>(4 * n));
      return;
    }
    const std::byte* block = m_base + t.offset + layer * q80_block_bytes(t.per_layer, m_group);
    const auto* q = reinterpret_cast<const std::int8_t*>(block);
    const std::byte* scales = block + t.per_layer;
    std::int64_t i = 0;
    while (i < n) {  // group by group: one scale read per group
      const std::int64_t e = e0 + i, g = e / m_group, end = std::min(n, (g + 1) * m_group - e0);
      float s;
      std::memcpy(&s, scales + 4 * g, 4);
      for (; i < end; ++i) out[static_cast<std::size_t>(i)] = static_cast<float>(q[e0 + i]) * s;
    }
  }

 private:
  const std::byte* m_base;
  std::int32_t m_group;
};

void check_finite(std::span<const float> v, const fs::path& path, const std::string& tensor, std::int64_t first) {
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v[i])) {
      throw ModelFileError(path, "tensor " + tensor + " holds a non-finite value at index " +
                                     std::to_string(first + static_cast<std::int64_t>(i)) + ": corrupt checkpoint");
    }
  }
}

// The projections of a llama2.c file read from its mapping (WeightStorage::MappedProjections).
class Llama2cProjections final : public ProjectionSource {
 public:
  Llama2cProjections(MappedFile file, const LlamaConfig& c, const std::array<FileTensor, kNumTensors>& tensors,
                     std::int32_t group_size)
      : m_file(std::move(file)),
        m_config(c),
        m_tensors(tensors),
        m_group(group_size),
        m_reader(m_file.bytes().data(), group_size) {}

  void read_row(Component comp, int layer, std::int64_t row, std::span<float> out) const override {
    const int t = projection_tensor(comp);
    const std::int64_t in = projection_shape(m_config, comp).second;
    m_reader.read(m_tensors[static_cast<std::size_t>(t)], layer, row * in, out.first(static_cast<std::size_t>(in)));
    check_finite(out.first(static_cast<std::size_t>(in)), m_file.path(), layer_tensor_name(t, layer), row * in);
  }

  void release(Component comp, int layer) const override {
    const FileTensor& f = m_tensors[static_cast<std::size_t>(projection_tensor(comp))];
    const std::int64_t bytes = f.q80 ? q80_block_bytes(f.per_layer, m_group) : 4 * f.per_layer;
    MappedFile::drop_pages(m_file.bytes().subspan(static_cast<std::size_t>(f.offset + layer * bytes),
                                                  static_cast<std::size_t>(bytes)));
  }

 private:
  MappedFile m_file;
  LlamaConfig m_config;
  std::array<FileTensor, kNumTensors> m_tensors;
  std::int32_t m_group;
  FileTensorReader m_reader;
};

}  // namespace

std::string_view to_string(CheckpointFormat f) {
  switch (f) {
    case CheckpointFormat::Legacy:
      return "legacy";
    case CheckpointFormat::V1:
      return "v1";
    case CheckpointFormat::HuggingFace:
      return "huggingface";
    case CheckpointFormat::V2Q80:
      return "v2-q8_0";
    case CheckpointFormat::Gguf:
      return "gguf";
  }
  return "unknown";
}

std::int64_t canonical_weight_floats(const LlamaConfig& config) { return total_floats(config); }

CanonicalRange canonical_projection_range(const LlamaConfig& config, Component c) {
  const int t = projection_tensor(c);
  const auto sizes = tensor_sizes(config);
  CanonicalRange r;
  for (int i = 0; i < t; ++i) r.begin += sizes[i];
  r.per_layer = sizes[t] / config.n_layers;
  return r;
}

std::int64_t checkpoint_file_size(const LlamaConfig& config, CheckpointFormat format) {
  const std::int64_t floats = total_floats(config);
  if (format == CheckpointFormat::HuggingFace) {
    throw std::invalid_argument("checkpoint_file_size: a Hugging Face folder has no single llama2.c file size");
  }
  if (format == CheckpointFormat::V2Q80) throw std::invalid_argument("checkpoint_file_size: use q80_file_size for v2");
  if (format == CheckpointFormat::Gguf) throw std::invalid_argument("checkpoint_file_size: not for GGUF files");
  if (format == CheckpointFormat::Legacy) {
    return checked_add(kLegacyHeaderBytes, checked_mul(4, checked_add(floats, legacy_rope_floats(config))));
  }
  return checked_add(kV1HeaderBytes, checked_mul(4, floats));
}

void Checkpoint::bind_canonical() {
  const auto sizes = resident_sizes(m_config, m_projections != nullptr);
  std::array<const float*, kNumTensors> ptr{};
  const float* p = m_data.data();
  for (int t = 0; t < kNumTensors; ++t) {
    ptr[t] = sizes[t] > 0 ? p : nullptr;
    p += sizes[t];
  }
  m_weights.token_embedding = ptr[kEmb];
  m_weights.rms_att = ptr[kRmsAtt];
  m_weights.wq = ptr[kWq];
  m_weights.wk = ptr[kWk];
  m_weights.wv = ptr[kWv];
  m_weights.wo = ptr[kWo];
  m_weights.rms_ffn = ptr[kRmsFfn];
  m_weights.w1 = ptr[kW1];
  m_weights.w2 = ptr[kW2];
  m_weights.w3 = ptr[kW3];
  m_weights.rms_final = ptr[kRmsFinal];
  m_weights.classifier = m_config.shared_classifier ? ptr[kEmb] : ptr[kCls];
  m_weights.bq = ptr[kBq];
  m_weights.bk = ptr[kBk];
  m_weights.bv = ptr[kBv];
  m_weights.bo = ptr[kBo];
  m_weights.b_up = ptr[kBUp];
  m_weights.b_down = ptr[kBDown];
  m_weights.norm_att_bias = ptr[kNormAttBias];
  m_weights.norm_ffn_bias = ptr[kNormFfnBias];
  m_weights.norm_final_bias = ptr[kNormFinalBias];
  m_weights.position_embedding = ptr[kPosEmb];
  m_weights.project_in = ptr[kProjIn];
  m_weights.project_out = ptr[kProjOut];
}

Checkpoint Checkpoint::from_weights(const LlamaConfig& config, std::vector<float> canonical) {
  config.validate();
  const std::int64_t floats = total_floats(config);
  if (static_cast<std::int64_t>(canonical.size()) != floats) {
    throw std::invalid_argument("Checkpoint::from_weights: " + std::to_string(canonical.size()) + " floats given, " +
                                std::to_string(floats) + " expected for " + config.to_string());
  }
  Checkpoint ckpt;
  ckpt.m_config = config;
  ckpt.m_data = std::move(canonical);
  ckpt.bind_canonical();
  return ckpt;
}

Checkpoint Checkpoint::from_weights(const LlamaConfig& config, std::vector<float> canonical, fs::path path,
                                    CheckpointFormat format) {
  Checkpoint ckpt = from_weights(config, std::move(canonical));
  ckpt.m_path = std::move(path);
  ckpt.m_format = format;
  return ckpt;
}

std::int64_t q80_file_size(const LlamaConfig& c, std::int32_t group_size) {
  if (group_size <= 0) throw std::invalid_argument("q80_file_size: group_size must be positive");
  const auto sizes = tensor_sizes(c);
  std::int64_t bytes = checked_add(kV1HeaderBytes, checked_mul(4, checked_add(checked_add(sizes[kRmsAtt], sizes[kRmsFfn]),
                                                                                sizes[kRmsFinal])));
  for (const int t : {kEmb, kWq, kWk, kWv, kWo, kW1, kW2, kW3, kCls}) {
    bytes = checked_add(bytes, q80_block_bytes(sizes[t], group_size));
  }
  return bytes;
}

void Checkpoint::projection_row(Component c, int layer, std::int64_t row, std::span<float> out) const {
  if (m_projections != nullptr) {
    m_projections->read_row(c, layer, row, out);
    return;
  }
  const int t = projection_tensor(c);
  const auto [rows, in] = projection_shape(m_config, c);
  const std::array<const float*, 7> views = {m_weights.wq, m_weights.wk, m_weights.wv, m_weights.wo,
                                             m_weights.w1, m_weights.w2, m_weights.w3};
  const float* w = views[static_cast<std::size_t>(t - kWq < 4 ? t - kWq : t - kW1 + 4)];
  if (w == nullptr) throw std::invalid_argument("projection_row: the model has no " + std::string(kTensorNames[t]));
  std::copy_n(w + (static_cast<std::int64_t>(layer) * rows + row) * in, in, out.begin());
}

Checkpoint Checkpoint::with_mapped_projections(const LlamaConfig& config, std::vector<float> resident,
                                               std::shared_ptr<const ProjectionSource> projections, fs::path path,
                                               CheckpointFormat format) {
  config.validate();
  std::int64_t floats = 0;
  for (const auto n : resident_sizes(config, true)) floats = checked_add(floats, n);
  if (static_cast<std::int64_t>(resident.size()) != floats || projections == nullptr) {
    throw std::invalid_argument("Checkpoint::with_mapped_projections: " + std::to_string(resident.size()) +
                                " floats given, " + std::to_string(floats) + " expected for " + config.to_string());
  }
  Checkpoint ckpt;
  ckpt.m_config = config;
  ckpt.m_data = std::move(resident);
  ckpt.m_projections = std::move(projections);
  ckpt.m_path = std::move(path);
  ckpt.m_format = format;
  ckpt.bind_canonical();
  return ckpt;
}

Checkpoint load_checkpoint(const fs::path& path, WeightStorage storage) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw ModelFileError(path, "checkpoint file not found");
  MappedFile file(path);
  const auto file_size = static_cast<std::int64_t>(file.size());
  const unsigned char* header = reinterpret_cast<const unsigned char*>(file.bytes().data());
  if (file_size < kLegacyHeaderBytes) {
    throw ModelFileError(path,
                         "file is " + std::to_string(file_size) +
                             " bytes, shorter than a checkpoint header (28 bytes): truncated or not a checkpoint");
  }

  Checkpoint ckpt;
  ckpt.m_path = path;
  LlamaConfig& c = ckpt.m_config;
  std::int64_t offset = 0;
  std::int32_t group_size = 0;
  std::uint32_t magic;
  std::memcpy(&magic, header, sizeof magic);
  if (magic == kV1Magic) {
    if (file_size < kV1HeaderBytes) {
      throw ModelFileError(
          path, "file is " + std::to_string(file_size) + " bytes, shorter than the 256-byte v1 header: truncated");
    }
    const std::int32_t version = read_i32(header + 4);
    if (version != 1 && version != 2) {
      throw ModelFileError(path, "unsupported llama2.c export version " + std::to_string(version) +
                                     " (supported: legacy, v1 fp32 and v2 Q8_0)");
    }
    const unsigned char* p = header + 8;
    c.dim = read_i32(p), c.hidden_dim = read_i32(p + 4), c.n_layers = read_i32(p + 8), c.n_heads = read_i32(p + 12);
    c.n_kv_heads = read_i32(p + 16), c.vocab_size = read_i32(p + 20), c.seq_len = read_i32(p + 24);
    const unsigned char flag = header[36];
    if (flag > 1) {
      throw ModelFileError(path, "v" + std::to_string(version) + " header: shared_classifier flag is " +
                                     std::to_string(flag) + " (expected 0 or 1)");
    }
    c.shared_classifier = flag == 1;
    ckpt.m_format = version == 1 ? CheckpointFormat::V1 : CheckpointFormat::V2Q80;
    if (version == 2) group_size = read_i32(header + 37);
    offset = kV1HeaderBytes;
  } else {
    const unsigned char* p = header;
    c.dim = read_i32(p), c.hidden_dim = read_i32(p + 4), c.n_layers = read_i32(p + 8), c.n_heads = read_i32(p + 12);
    c.n_kv_heads = read_i32(p + 16), c.vocab_size = read_i32(p + 20), c.seq_len = read_i32(p + 24);
    // A negative vocab_size marks a separately stored classifier.
    c.shared_classifier = c.vocab_size > 0;
    if (c.vocab_size < 0 && c.vocab_size != INT32_MIN) c.vocab_size = -c.vocab_size;
    ckpt.m_format = CheckpointFormat::Legacy;
    offset = kLegacyHeaderBytes;
  }
  const std::string format_name(to_string(ckpt.m_format));
  try {
    c.validate();
  } catch (const std::invalid_argument& e) {
    throw ModelFileError(path, "bad " + format_name + " checkpoint header: " + e.what());
  }
  const bool q80 = ckpt.m_format == CheckpointFormat::V2Q80;
  // Q8_0 groups: llama2.c's export halves the group size until it divides dim, so every tensor (a multiple of
  // dim elements) is whole groups.
  if (q80 && (group_size <= 0 || c.dim % group_size != 0)) {
    throw ModelFileError(path, "bad v2 (Q8_0) checkpoint header: group_size = " + std::to_string(group_size) +
                                   " at byte 37 (expected a positive divisor of dim = " + std::to_string(c.dim) + ")");
  }
  // The weights the header implies must be in the file (checked before anything is allocated).
  const bool mapped = storage == WeightStorage::MappedProjections;
  const auto sizes = tensor_sizes(c);
  const auto resident = resident_sizes(c, mapped);
  std::int64_t expected = 0, weight_bytes = 0;
  try {
    expected = q80 ? q80_file_size(c, group_size) : checkpoint_file_size(c, ckpt.m_format);
    std::int64_t floats = 0;
    for (const auto n : resident) floats = checked_add(floats, n);
    weight_bytes = checked_mul(4, floats);
  } catch (const ConfigError& e) {
    throw ModelFileError(path, "bad " + format_name + " checkpoint header: " + c.to_string() +
                                   " implies a file size that overflows 64 bits (" + e.what() + ")");
  }
  if (file_size != expected) {
    throw ModelFileError(path, "file is " + std::to_string(file_size) + " bytes but a " + format_name +
                                   " checkpoint with " + c.to_string() + (q80 ? " and group_size " + std::to_string(group_size) : "") +
                                   " has " + std::to_string(expected) + " bytes (" +
                                   (file_size < expected ? "truncated" : "trailing data or wrong header") +
                                   "); its weights would need " + bytes_text(weight_bytes) + " of memory");
  }

  // Where each tensor lies in the file.
  std::array<FileTensor, kNumTensors> where{};
  for (const int t : file_order(ckpt.m_format)) {
    if (t == kNumTensors) {  // legacy RoPE tables: skipped
      offset += 4 * legacy_rope_floats(c);
      continue;
    }
    FileTensor& f = where[static_cast<std::size_t>(t)];
    f.offset = offset;
    f.q80 = q80 && t != kRmsAtt && t != kRmsFfn && t != kRmsFinal;
    f.layers = is_layered(t) ? c.n_layers : 1;
    f.per_layer = sizes[t] / f.layers;
    offset += f.q80 ? f.layers * q80_block_bytes(f.per_layer, group_size) : 4 * sizes[t];
  }
  const FileTensorReader reader(file.bytes().data(), group_size);
  if (q80) {  // every scale finite (then every dequantized weight is, short of an overflow checked on reading)
    for (const int t : file_order(ckpt.m_format)) {
      const FileTensor& f = where[static_cast<std::size_t>(t)];
      if (!f.q80 || f.per_layer == 0) continue;
      for (std::int64_t l = 0; l < f.layers; ++l) {
        const std::byte* s = file.bytes().data() + f.offset + l * q80_block_bytes(f.per_layer, group_size) + f.per_layer;
        for (std::int64_t g = 0; g < f.per_layer / group_size; ++g) {
          float v;
          std::memcpy(&v, s + 4 * g, 4);
          if (!std::isfinite(v)) {
            throw ModelFileError(path, "tensor " + (f.layers > 1 ? layer_tensor_name(t, static_cast<int>(l)) : std::string(kTensorNames[t])) +
                                           " has a non-finite Q8_0 scale in group " + std::to_string(g) +
                                           ": corrupt checkpoint");
          }
        }
      }
    }
  }

  arch::check_memory(weight_bytes, path.string() + (mapped ? ": the checkpoint's FP32 weights other than the projections"
                                                           : ": the checkpoint's weights"));
  // Weights, rearranged into canonical order (FP32, Q8_0 dequantized).
  std::array<std::int64_t, kNumTensors> canon_offset{};
  std::int64_t total = 0;
  for (int t = 0; t < kNumTensors; ++t) {
    canon_offset[t] = total;
    total += resident[t];
  }
  ckpt.m_data.resize(static_cast<std::size_t>(total));
  for (int t = 0; t < kNumTensors; ++t) {
    if (resident[t] == 0) continue;
    const FileTensor& f = where[static_cast<std::size_t>(t)];
    for (std::int64_t l = 0; l < f.layers; ++l) {
      const std::span<float> out(ckpt.m_data.data() + canon_offset[t] + l * f.per_layer,
                                 static_cast<std::size_t>(f.per_layer));
      reader.read(f, l, 0, out);
      check_finite(out, path, kTensorNames[t], l * f.per_layer);
    }
    if (mapped) {  // converted: its pages need not stay resident beside the copy (the mapping stays open)
      const std::int64_t bytes = f.q80 ? f.layers * q80_block_bytes(f.per_layer, group_size) : 4 * sizes[t];
      MappedFile::drop_pages(file.bytes().subspan(static_cast<std::size_t>(f.offset), static_cast<std::size_t>(bytes)));
    }
  }
  if (mapped) ckpt.m_projections = std::make_shared<Llama2cProjections>(std::move(file), c, where, group_size);
  ckpt.bind_canonical();
  return ckpt;
}

WeightExtreme largest_weight(const Checkpoint& ckpt) {
  const LlamaConfig& c = ckpt.config();
  const LlamaWeights& w = ckpt.weights();
  const auto sizes = tensor_sizes(c);
  const auto ptr = tensor_views(w, c);
  WeightExtreme best;
  float best_abs = -1.0f;
  const auto consider = [&](const char* tensor, std::int64_t index, float v) {
    if (std::fabs(v) > best_abs) {
      best_abs = std::fabs(v);
      best.tensor = tensor;
      best.index = index;
      best.value = v;
    }
  };
  for (int t = 0; t < kNumTensors; ++t) {
    if (ptr[t] == nullptr) continue;
    for (std::int64_t i = 0; i < sizes[t]; ++i) consider(kTensorNames[t], i, ptr[t][i]);
  }
  if (!ckpt.has_fp32_projections()) {  // the mapped projections, row by row (index within the canonical tensor)
    std::vector<float> row;
    for (const Component comp : kProjectionComponents) {
      const int t = projection_tensor(comp);
      if (sizes[t] == 0) continue;
      const auto [rows, in] = projection_shape(c, comp);
      row.resize(static_cast<std::size_t>(in));
      for (int l = 0; l < c.n_layers; ++l) {
        for (std::int64_t r = 0; r < rows; ++r) {
          ckpt.projection_row(comp, l, r, row);
          for (std::int64_t i = 0; i < in; ++i) consider(kTensorNames[t], (l * rows + r) * in + i, row[static_cast<std::size_t>(i)]);
        }
      }
    }
  }
  return best;
}

void save_checkpoint(const Checkpoint& ckpt, const fs::path& path, CheckpointFormat format) {
  if (format == CheckpointFormat::HuggingFace) {
    throw std::invalid_argument("save_checkpoint: writes llama2.c files only (legacy, v1)");
  }
  if (format == CheckpointFormat::V2Q80 || format == CheckpointFormat::Gguf) {
    throw std::invalid_argument("save_checkpoint: v2 (Q8_0) and GGUF are not written here");
  }
  if (!ckpt.has_fp32_projections()) {
    throw std::invalid_argument("save_checkpoint: the checkpoint's projections are mapped, not FP32 (load it with "
                                "WeightStorage::Fp32)");
  }
  const LlamaConfig& c = ckpt.config();
  if (!c.style.is_llama()) throw std::invalid_argument("save_checkpoint: llama2.c files hold LLaMA blocks only");
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw ModelFileError(path, "cannot create file");
  if (format == CheckpointFormat::V1) {
    std::array<char, kV1HeaderBytes> header{};
    const std::array<std::int32_t, 9> ints = {static_cast<std::int32_t>(kV1Magic),
                                              1,
                                              c.dim,
                                              c.hidden_dim,
                                              c.n_layers,
                                              c.n_heads,
                                              c.n_kv_heads,
                                              c.vocab_size,
                                              c.seq_len};
    std::memcpy(header.data(), ints.data(), sizeof ints);
    header[36] = c.shared_classifier ? 1 : 0;
    out.write(header.data(), kV1HeaderBytes);
  } else {
    for (const int v : {c.dim, c.hidden_dim, c.n_layers, c.n_heads, c.n_kv_heads,
                        c.shared_classifier ? c.vocab_size : -c.vocab_size, c.seq_len}) {
      write_i32(out, v);
    }
  }
  const auto sizes = tensor_sizes(c);
  const LlamaWeights& w = ckpt.weights();
  const auto ptr = tensor_views(w, c);
  for (const int t : file_order(format)) {
    if (t == kNumTensors) {
      // Legacy RoPE tables as llama2.c's export wrote them: cos then sin of pos * 10000^(-2i/head_size).
      const int hs = c.head_size();
      std::vector<float> cos_t, sin_t;
      for (int pos = 0; pos < c.seq_len; ++pos) {
        for (int i = 0; i < hs / 2; ++i) {
          const double freq = 1.0 / std::pow(10000.0, (2.0 * i) / hs);
          cos_t.push_back(static_cast<float>(std::cos(pos * freq)));
          sin_t.push_back(static_cast<float>(std::sin(pos * freq)));
        }
      }
      out.write(reinterpret_cast<const char*>(cos_t.data()), static_cast<std::streamsize>(4 * cos_t.size()));
      out.write(reinterpret_cast<const char*>(sin_t.data()), static_cast<std::streamsize>(4 * sin_t.size()));
      continue;
    }
    if (sizes[t] > 0) out.write(reinterpret_cast<const char*>(ptr[t]), 4 * sizes[t]);
  }
  if (!out) throw ModelFileError(path, "write failed");
}

}  // namespace saffire::models::llm
