#include "models/llm/sampler.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "models/llm/ops.hpp"

namespace saffire::models::llm {

int argmax(std::span<const float> values) {
  int best = 0;
  for (std::size_t i = 1; i < values.size(); ++i) {
    if (values[i] > values[static_cast<std::size_t>(best)]) best = static_cast<int>(i);
  }
  return best;
}

Sampler::Sampler(int vocab_size, const SamplerOptions& options)
    : m_vocab_size(vocab_size),
      m_opts(options),
      m_state(options.seed == 0 ? 0x9E3779B97F4A7C15ull : options.seed),
      m_probs(static_cast<std::size_t>(vocab_size)) {
  m_nucleus.reserve(static_cast<std::size_t>(vocab_size));
  if (vocab_size <= 0) throw std::invalid_argument("Sampler: vocab_size must be positive");
  if (!(options.temperature >= 0.0f) || !std::isfinite(options.temperature)) {
    throw std::invalid_argument("temperature must be a finite value >= 0 (got " + std::to_string(options.temperature) +
                                ")");
  }
  if (!std::isfinite(options.top_p)) throw std::invalid_argument("top_p must be finite");
}

std::uint32_t Sampler::random_u32() {
  // xorshift* as in llama2.c.
  m_state ^= m_state >> 12;
  m_state ^= m_state << 25;
  m_state ^= m_state >> 27;
  return static_cast<std::uint32_t>((m_state * 0x2545F4914F6CDD1Dull) >> 32);
}

float Sampler::random_f32() { return static_cast<float>(random_u32() >> 8) / 16777216.0f; }

int Sampler::sample(std::span<const float> logits) {
  if (static_cast<int>(logits.size()) != m_vocab_size) {
    throw std::invalid_argument("Sampler::sample: " + std::to_string(logits.size()) + " logits for a vocabulary of " +
                                std::to_string(m_vocab_size));
  }
  if (m_opts.temperature == 0.0f) return argmax(logits);
  for (int i = 0; i < m_vocab_size; ++i)
    m_probs[static_cast<std::size_t>(i)] = logits[static_cast<std::size_t>(i)] / m_opts.temperature;
  softmax(m_probs.data(), m_vocab_size);
  const float coin = random_f32();
  if (m_opts.top_p <= 0.0f || m_opts.top_p >= 1.0f) {
    float cdf = 0.0f;
    for (int i = 0; i < m_vocab_size; ++i) {
      cdf += m_probs[static_cast<std::size_t>(i)];
      if (coin < cdf) return i;
    }
    return m_vocab_size - 1;  // rounding
  }
  // Top-p: the smallest set of most likely tokens whose mass exceeds top_p. Tokens below
  // (1 - top_p) / (n - 1) cannot be in it and are dropped before sorting (llama2.c's shortcut).
  const float cutoff = (1.0f - m_opts.top_p) / static_cast<float>(m_vocab_size - 1);
  m_nucleus.clear();
  for (int i = 0; i < m_vocab_size; ++i) {
    if (m_probs[static_cast<std::size_t>(i)] >= cutoff) m_nucleus.emplace_back(m_probs[static_cast<std::size_t>(i)], i);
  }
  std::sort(m_nucleus.begin(), m_nucleus.end(), [](const auto& a, const auto& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  });
  float cumulative = 0.0f;
  std::size_t last = m_nucleus.size() - 1;
  for (std::size_t i = 0; i < m_nucleus.size(); ++i) {
    cumulative += m_nucleus[i].first;
    if (cumulative > m_opts.top_p) {
      last = i;
      break;
    }
  }
  const float r = coin * cumulative;
  float cdf = 0.0f;
  for (std::size_t i = 0; i <= last; ++i) {
    cdf += m_nucleus[i].first;
    if (r < cdf) return m_nucleus[i].second;
  }
  return m_nucleus[last].second;
}

}  // namespace saffire::models::llm
