#pragma once
// Sampler: picks the next token from logits. Temperature 0 is greedy (argmax, first index on ties); otherwise
// softmax(logits / temperature) is sampled with a seeded xorshift RNG (llama2.c's), optionally restricted to
// the top-p nucleus. The same seed gives the same tokens.
#include <cstdint>
#include <span>
#include <vector>

namespace saffire::models::llm {

struct SamplerOptions {
  float temperature = 0.0f;  // 0: greedy
  float top_p = 1.0f;        // nucleus mass in (0, 1); values <= 0 or >= 1 sample the full distribution
  std::uint64_t seed = 42;   // RNG seed (0 is mapped to a fixed non-zero state)
};

/// Index of the largest value (the first one on ties).
int argmax(std::span<const float> values);

class Sampler {
 public:
  /// Throws std::invalid_argument for a negative or non-finite temperature.
  Sampler(int vocab_size, const SamplerOptions& options);

  /// Next token for these logits (vocab_size values; not modified).
  int sample(std::span<const float> logits);

  const SamplerOptions& options() const { return m_opts; }

 private:
  std::uint32_t random_u32();
  float random_f32();  // [0, 1)

  int m_vocab_size;
  SamplerOptions m_opts;
  std::uint64_t m_state;
  std::vector<float> m_probs;                    // (vocab_size)
  std::vector<std::pair<float, int>> m_nucleus;  // (vocab_size) candidates for top-p
};

}  // namespace saffire::models::llm
