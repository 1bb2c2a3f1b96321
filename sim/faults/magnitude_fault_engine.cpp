#include "sim/faults/magnitude_fault_engine.hpp"

#include <Random123/philox.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <sstream>

#include "arch/config_error.hpp"
#include "sim/faults/realm_clamp_hook.hpp"

namespace saffire::faults {
namespace {

r123::Philox4x32::key_type philox_key(std::uint64_t seed, std::uint64_t gemm_key) {
  return {{static_cast<std::uint32_t>(seed) ^ static_cast<std::uint32_t>(gemm_key >> 32),
           static_cast<std::uint32_t>(seed >> 32) ^ static_cast<std::uint32_t>(gemm_key)}};
}

// Counter tags keep the permutation's and the sign's draws apart (and apart from bitflip's 0xB17F).
constexpr std::uint32_t kFeistelTag = 0x3A6F;
constexpr std::uint32_t kSignTag = 0x3A65;

bool same_gemm(const models::GemmId& a, const models::GemmId& b) {
  return a.layer == b.layer && a.component == b.component && a.stage == b.stage && a.head == b.head &&
         a.pos_begin == b.pos_begin && a.pos_end == b.pos_end && a.call_index == b.call_index &&
         a.sequence == b.sequence && a.attempt == b.attempt;
}

std::int32_t wrap_add(std::int32_t y, std::int32_t d) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(y) + static_cast<std::uint32_t>(d));
}

}  // namespace

std::string_view to_string(MagnitudeSign s) { return s == MagnitudeSign::Positive ? "positive" : "random"; }

MagnitudeSign parse_magnitude_sign(std::string_view name) {
  if (name == "positive") return MagnitudeSign::Positive;
  if (name == "random") return MagnitudeSign::Random;
  throw ConfigError("unknown error sign '" + std::string(name) + "' (expected positive or random)");
}

std::int64_t MagnitudeFaultConfig::magnitude() const {
  const double m = msd / static_cast<double>(std::max<std::int64_t>(freq, 1));
  if (!(m < 9.0e18)) return std::numeric_limits<std::int64_t>::max();
  return std::llround(m);
}

bool MagnitudeFaultConfig::feasible() const {
  const std::int64_t m = magnitude();
  return m >= 0 && m <= std::numeric_limits<std::int32_t>::max();
}

void MagnitudeFaultConfig::validate() const {
  if (!(msd >= 0) || !std::isfinite(msd)) throw ConfigError("magnitude faults: MSD must be finite and >= 0");
  if (freq < 1) throw ConfigError("magnitude faults: freq must be >= 1, got " + std::to_string(freq));
  if (!feasible())
    throw ConfigError("magnitude faults: an error of MSD/freq = " + std::to_string(msd / static_cast<double>(freq)) +
                      " does not fit in an INT32 word");
}

std::int64_t magnitude_word_index(std::uint64_t seed, std::uint64_t gemm_key, std::int64_t words, std::int64_t i) {
  // A balanced Feistel network on 2h bits (2^(2h) >= words, < 4 words), cycle-walked onto [0, words):
  // a bijection of [0, words), so distinct i give distinct words.
  const auto domain = static_cast<std::uint64_t>(std::max<std::int64_t>(words, 4));
  const int bits = std::bit_width(domain - 1);
  const int h = (bits + 1) / 2;
  const std::uint64_t mask = (std::uint64_t{1} << h) - 1;
  const r123::Philox4x32 rng;
  const auto key = philox_key(seed, gemm_key);
  auto v = static_cast<std::uint64_t>(i);
  do {
    std::uint64_t l = v >> h, r = v & mask;
    for (std::uint32_t round = 0; round < 4; ++round) {
      const r123::Philox4x32::ctr_type c = {
          {static_cast<std::uint32_t>(r), static_cast<std::uint32_t>(r >> 32), round, kFeistelTag}};
      const r123::Philox4x32::ctr_type o = rng(c, key);
      const std::uint64_t f = (static_cast<std::uint64_t>(o.v[1]) << 32 | o.v[0]) & mask;
      const std::uint64_t next = l ^ f;
      l = r;
      r = next;
    }
    v = l << h | r;
  } while (v >= static_cast<std::uint64_t>(words));
  return static_cast<std::int64_t>(v);
}

std::vector<MagnitudeError> magnitude_errors(const MagnitudeFaultConfig& cfg, const models::GemmId& id,
                                             std::int64_t m, std::int64_t n) {
  std::vector<MagnitudeError> out;
  const std::int64_t words = m * n;
  const std::int64_t mag = cfg.magnitude();
  if (words <= 0 || mag <= 0 || !cfg.feasible() || !cfg.targeting.targets(id)) return out;
  const std::uint64_t key = FaultPlan::gemm_key(id);
  const std::int64_t count = std::min(cfg.freq, words);
  out.reserve(static_cast<std::size_t>(count));
  const r123::Philox4x32 rng;
  const auto pkey = philox_key(cfg.seed, key);
  for (std::int64_t i = 0; i < count; ++i) {
    // Every word gets one: no need to permute.
    const std::int64_t w = count == words ? i : magnitude_word_index(cfg.seed, key, words, i);
    auto delta = static_cast<std::int32_t>(mag);
    if (cfg.sign == MagnitudeSign::Random) {
      const r123::Philox4x32::ctr_type c = {
          {static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(static_cast<std::uint64_t>(i) >> 32), 0, kSignTag}};
      if ((rng(c, pkey).v[0] & 1u) != 0) delta = -delta;
    }
    out.push_back({w / n, w % n, delta});
  }
  return out;
}

MagnitudeFaultEngine::MagnitudeFaultEngine(std::unique_ptr<models::GemmEngine> inner, const MagnitudeFaultConfig& cfg)
    : m_inner(std::move(inner)), m_cfg(cfg) {
  m_cfg.validate();
}

void MagnitudeFaultEngine::gemm(const models::GemmId& id, const models::Int8GemmArgs& args) {
  m_inner->gemm(id, args);
  m_last_id = id;
  m_last = magnitude_errors(m_cfg, id, args.m, args.n);
  if (m_last.empty()) return;
  for (const MagnitudeError& e : m_last) {
    std::int32_t& y = args.y[e.m * args.ldy + e.n];
    y = wrap_add(y, e.delta);
  }
  ++m_totals.gemms;
  m_totals.errors += static_cast<std::int64_t>(m_last.size());
  if (m_cfg.freq > args.m * args.n) ++m_totals.capped_gemms;
}

MagnitudeClampHook::MagnitudeClampHook(const MagnitudeFaultEngine& engine,
                                       models::llm::ActivationGranularity granularity)
    : m_engine(&engine), m_granularity(granularity) {}

void MagnitudeClampHook::after_gemm(const models::llm::QuantizedGemmCall& call) {
  if (!models::llm::output_requantized(call.id.component)) return;
  const std::vector<MagnitudeError>& errors = m_engine->last_errors();
  if (errors.empty() || !same_gemm(call.id, m_engine->last_id())) return;
  const auto& a = call.args;
  // The clean output: the engine's output with every error subtracted.
  m_clean.resize(static_cast<std::size_t>(a.m * a.n));
  for (std::int64_t i = 0; i < a.m; ++i) std::copy_n(a.y + i * a.ldy, a.n, m_clean.data() + i * a.n);
  for (const MagnitudeError& e : errors) {
    std::int32_t& c = m_clean[static_cast<std::size_t>(e.m * a.n + e.n)];
    c = wrap_add(c, static_cast<std::int32_t>(0u - static_cast<std::uint32_t>(e.delta)));
  }
  std::vector<std::pair<std::int64_t, std::int64_t>> words;
  for (const MagnitudeError& e : errors) words.emplace_back(e.m, e.n);
  m_clamped += clamp_to_clean_scale(call, m_clean, m_granularity, words, m_scales);
}

}  // namespace saffire::faults
