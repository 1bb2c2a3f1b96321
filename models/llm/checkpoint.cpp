#include "models/llm/checkpoint.hpp"

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>

#include "arch/checked_size.hpp"
#include "arch/memory_budget.hpp"
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
  if (f == CheckpointFormat::V1) return {kRmsAtt, kRmsFfn, kRmsFinal, kEmb, kWq, kWk, kWv, kWo, kW1, kW2, kW3, kCls};
  return {kEmb, kRmsAtt, kWq, kWk, kWv, kWo, kRmsFfn, kW1, kW2, kW3, kRmsFinal, kNumTensors, kCls};
}

std::int32_t read_i32(const unsigned char* p) {
  std::int32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

void write_i32(std::ofstream& out, std::int32_t v) { out.write(reinterpret_cast<const char*>(&v), sizeof v); }

}  // namespace

std::string_view to_string(CheckpointFormat f) {
  switch (f) {
    case CheckpointFormat::Legacy:
      return "legacy";
    case CheckpointFormat::V1:
      return "v1";
    case CheckpointFormat::HuggingFace:
      return "huggingface";
  }
  return "unknown";
}

std::int64_t canonical_weight_floats(const LlamaConfig& config) { return total_floats(config); }

std::int64_t checkpoint_file_size(const LlamaConfig& config, CheckpointFormat format) {
  const std::int64_t floats = total_floats(config);
  if (format == CheckpointFormat::HuggingFace) {
    throw std::invalid_argument("checkpoint_file_size: a Hugging Face folder has no single llama2.c file size");
  }
  if (format == CheckpointFormat::Legacy) {
    return checked_add(kLegacyHeaderBytes, checked_mul(4, checked_add(floats, legacy_rope_floats(config))));
  }
  return checked_add(kV1HeaderBytes, checked_mul(4, floats));
}

void Checkpoint::bind_canonical() {
  const auto sizes = tensor_sizes(m_config);
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

Checkpoint load_checkpoint(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw ModelFileError(path, "checkpoint file not found");
  const auto file_size = static_cast<std::int64_t>(fs::file_size(path, ec));
  if (ec) throw ModelFileError(path, "cannot determine file size: " + ec.message());
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ModelFileError(path, "cannot open checkpoint");

  // Header: 7 int32 (legacy) or magic + version + 7 int32 + flag + padding (v1).
  std::array<unsigned char, kV1HeaderBytes> header{};
  const std::int64_t head_bytes = std::min<std::int64_t>(file_size, kV1HeaderBytes);
  in.read(reinterpret_cast<char*>(header.data()), head_bytes);
  if (in.gcount() != head_bytes) throw ModelFileError(path, "read of the header failed");
  if (file_size < kLegacyHeaderBytes) {
    throw ModelFileError(path,
                         "file is " + std::to_string(file_size) +
                             " bytes, shorter than a checkpoint header (28 bytes): truncated or not a checkpoint");
  }

  Checkpoint ckpt;
  ckpt.m_path = path;
  LlamaConfig& c = ckpt.m_config;
  std::int64_t offset = 0;
  std::uint32_t magic;
  std::memcpy(&magic, header.data(), sizeof magic);
  if (magic == kV1Magic) {
    if (file_size < kV1HeaderBytes) {
      throw ModelFileError(
          path, "file is " + std::to_string(file_size) + " bytes, shorter than the 256-byte v1 header: truncated");
    }
    const std::int32_t version = read_i32(header.data() + 4);
    if (version != 1) {
      throw ModelFileError(path, "unsupported llama2.c export version " + std::to_string(version) +
                                     " (supported: legacy and v1 fp32; v2 is the Q8_0 export)");
    }
    const unsigned char* p = header.data() + 8;
    c.dim = read_i32(p), c.hidden_dim = read_i32(p + 4), c.n_layers = read_i32(p + 8), c.n_heads = read_i32(p + 12);
    c.n_kv_heads = read_i32(p + 16), c.vocab_size = read_i32(p + 20), c.seq_len = read_i32(p + 24);
    const unsigned char flag = header[36];
    if (flag > 1) throw ModelFileError(path, "v1 header: shared_classifier flag is " + std::to_string(flag));
    c.shared_classifier = flag == 1;
    ckpt.m_format = CheckpointFormat::V1;
    offset = kV1HeaderBytes;
  } else {
    const unsigned char* p = header.data();
    c.dim = read_i32(p), c.hidden_dim = read_i32(p + 4), c.n_layers = read_i32(p + 8), c.n_heads = read_i32(p + 12);
    c.n_kv_heads = read_i32(p + 16), c.vocab_size = read_i32(p + 20), c.seq_len = read_i32(p + 24);
    // A negative vocab_size marks a separately stored classifier.
    c.shared_classifier = c.vocab_size > 0;
    if (c.vocab_size < 0 && c.vocab_size != INT32_MIN) c.vocab_size = -c.vocab_size;
    ckpt.m_format = CheckpointFormat::Legacy;
    offset = kLegacyHeaderBytes;
  }
  try {
    c.validate();
  } catch (const std::invalid_argument& e) {
    throw ModelFileError(
        path, std::string("bad ") + std::string(to_string(ckpt.m_format)) + " checkpoint header: " + e.what());
  }
  // The weights the header implies must be in the file (checked before anything is allocated).
  std::int64_t expected = 0, weight_bytes = 0;
  try {
    expected = checkpoint_file_size(c, ckpt.m_format);
    weight_bytes = checked_mul(4, total_floats(c));
  } catch (const ConfigError& e) {
    throw ModelFileError(path, "bad " + std::string(to_string(ckpt.m_format)) + " checkpoint header: " + c.to_string() +
                                   " implies a file size that overflows 64 bits (" + e.what() + ")");
  }
  if (file_size != expected) {
    throw ModelFileError(path, "file is " + std::to_string(file_size) + " bytes but a " +
                                   std::string(to_string(ckpt.m_format)) + " checkpoint with " + c.to_string() +
                                   " has " + std::to_string(expected) + " bytes (" +
                                   (file_size < expected ? "truncated" : "trailing data or wrong header") +
                                   "); its weights would need " + bytes_text(weight_bytes) + " of memory");
  }

  arch::check_memory(weight_bytes, path.string() + ": the checkpoint's weights");

  // Weights, rearranged into canonical order.
  const auto sizes = tensor_sizes(c);
  std::array<std::int64_t, kNumTensors> canon_offset{};
  std::int64_t total = 0;
  for (int t = 0; t < kNumTensors; ++t) {
    canon_offset[t] = total;
    total += sizes[t];
  }
  ckpt.m_data.resize(static_cast<std::size_t>(total));
  in.seekg(offset);
  for (const int t : file_order(ckpt.m_format)) {
    if (t == kNumTensors) {  // legacy RoPE tables: skipped
      in.seekg(4 * legacy_rope_floats(c), std::ios::cur);
      continue;
    }
    in.read(reinterpret_cast<char*>(ckpt.m_data.data() + canon_offset[t]), 4 * sizes[t]);
    if (!in) throw ModelFileError(path, std::string("read of tensor ") + kTensorNames[t] + " failed");
    const float* w = ckpt.m_data.data() + canon_offset[t];
    for (std::int64_t i = 0; i < sizes[t]; ++i) {
      if (!std::isfinite(w[i])) {
        throw ModelFileError(path, std::string("tensor ") + kTensorNames[t] + " holds a non-finite value at index " +
                                       std::to_string(i) + ": corrupt checkpoint");
      }
    }
  }
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
  for (int t = 0; t < kNumTensors; ++t) {
    if (ptr[t] == nullptr) continue;
    for (std::int64_t i = 0; i < sizes[t]; ++i) {
      if (std::fabs(ptr[t][i]) > best_abs) {
        best_abs = std::fabs(ptr[t][i]);
        best.tensor = kTensorNames[t];
        best.index = i;
        best.value = ptr[t][i];
      }
    }
  }
  return best;
}

void save_checkpoint(const Checkpoint& ckpt, const fs::path& path, CheckpointFormat format) {
  if (format == CheckpointFormat::HuggingFace) {
    throw std::invalid_argument("save_checkpoint: writes llama2.c files only (legacy, v1)");
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
