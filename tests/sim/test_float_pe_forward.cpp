// The model on floating-point PEs (--precision fp16|bf16|fp8, HEAL's mitigations): cpu and array engines give
// bit-identical logits for the same array; another array order gives other bits; INT16 attention products
// are exact against a naive integer loop; compensated GEMMs are far closer to FP32 than plain 16-bit ones.
#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <random>

#include "arch/numerics/number_format.hpp"
#include "models/engine/cpu_engine.hpp"
#include "models/gemm/ordered_gemm.hpp"
#include "models/llm/pe_operands.hpp"
#include "models/llm/transformer.hpp"
#include "sim/array_engine.hpp"
#include "sim/engine_stack.hpp"
#include "sim/faults/bitflip_fault.hpp"
#include "tests/models/llm/llm_test_support.hpp"

using namespace saffire;
namespace llm = models::llm;

namespace {

arch::ArrayConfig array_of(int size, arch::Dataflow df, arch::NumberFormat operand) {
  arch::ArrayConfig cfg;
  cfg.rows = cfg.cols = size;
  cfg.dataflow = df;
  arch::set_numeric_types(cfg, operand, std::nullopt, std::nullopt);
  return cfg;
}

/// Checks every INT16 GEMM (numeric_gemm_as with int16 operands) against a naive int64 loop: operands are
/// integers within +-32767 and every exact sum fits in INT32 (so the array's wrap-around never acts).
class Int16CheckingEngine final : public models::GemmEngine {
 public:
  explicit Int16CheckingEngine(models::GemmEngine& inner) : m_inner(inner) {}
  std::string_view name() const override { return m_inner.name(); }
  void gemm(const models::GemmId& id, const models::Int8GemmArgs& args) override { m_inner.gemm(id, args); }
  void numeric_gemm(const models::GemmId& id, const models::NumericGemmArgs& args) override {
    m_inner.numeric_gemm(id, args);
  }
  void numeric_gemm_as(const models::GemmId& id, const models::NumericGemmArgs& a,
                       const arch::PeNumerics& numerics) override {
    m_inner.numeric_gemm_as(id, a, numerics);
    if (numerics.operand != arch::NumberFormat::Int16) return;
    ++int16_gemms;
    for (std::int64_t i = 0; i < a.m; ++i)
      for (std::int64_t j = 0; j < a.n; ++j) {
        std::int64_t sum = 0;
        for (std::int64_t k = 0; k < a.k; ++k) {
          const double x = a.x[i * a.ldx + k], w = a.w[k * a.ldw + j];
          bad_operands += x != std::nearbyint(x) || std::fabs(x) > 32767 || w != std::nearbyint(w) || std::fabs(w) > 32767;
          sum += static_cast<std::int64_t>(x) * static_cast<std::int64_t>(w);
        }
        overflows += sum > INT32_MAX || sum < INT32_MIN;
        mismatches += static_cast<double>(sum) != a.y[i * a.ldy + j];
      }
  }
  std::int64_t int16_gemms = 0, bad_operands = 0, overflows = 0, mismatches = 0;

 private:
  models::GemmEngine& m_inner;
};

/// All logits of a prefill of `prompt`, then of 3 greedy decode steps, on `engine`.
std::vector<float> logits_of(models::GemmEngine& engine, const llm::InferenceOptions& opts, const std::vector<int>& prompt) {
  llm::Transformer model(llm::test::stories260k(), opts, &engine);
  model.begin_sequence(0);
  const auto first = model.prefill(prompt, 0, /*all_logits=*/true);
  std::vector<float> all(first.begin(), first.end());
  std::vector<float> last(all.end() - model.config().vocab_size, all.end());
  int pos = static_cast<int>(prompt.size());
  for (int step = 0; step < 3; ++step, ++pos) {
    const int next = static_cast<int>(std::max_element(last.begin(), last.end()) - last.begin());
    const auto l = model.decode(next, pos);
    last.assign(l.begin(), l.end());
    all.insert(all.end(), l.begin(), l.end());
  }
  return all;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  double m = 0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(static_cast<double>(a[i]) - b[i]));
  return m;
}

const std::vector<int> kPrompt = {1, 403, 407, 261, 378};  // "Once upon a time"

/// The reference of a bitflip campaign on bf16 x bf16 -> fp32 OS PEs, independent of ordered_gemm and
/// numeric_output_faults: each output a naive chain over k from +0 (bf16 products are exact in double and
/// fit fp32, so rounding the double sum to float is one fp32 rounding), then the plan's bits XOR-ed into
/// the fp32 word (OS: the flip is the last step; the output buffer adds it to +0).
class NaiveFaultyOsEngine final : public models::GemmEngine {
 public:
  explicit NaiveFaultyOsEngine(const faults::FaultPlan& plan) : m_plan(plan) {}
  std::string_view name() const override { return "naive"; }
  void gemm(const models::GemmId&, const models::Int8GemmArgs&) override { FAIL("no INT8 GEMM expected"); }
  void numeric_gemm(const models::GemmId& id, const models::NumericGemmArgs& a) override {
    for (std::int64_t i = 0; i < a.m; ++i)
      for (std::int64_t j = 0; j < a.n; ++j) {
        float acc = 0.0f;
        for (std::int64_t k = 0; k < a.k; ++k)
          acc = static_cast<float>(static_cast<double>(acc) + a.x[i * a.ldx + k] * a.w[k * a.ldw + j]);
        a.y[i * a.ldy + j] = acc;
      }
    for (const arch::OutputFault& f : m_plan.sample(id, a.m, a.n)) {
      double& y = a.y[f.m * a.ldy + f.n];
      y = std::bit_cast<float>(std::bit_cast<std::uint32_t>(static_cast<float>(y)) ^ (1u << f.bit));
      ++flips;
    }
  }
  std::int64_t flips = 0;

 private:
  const faults::FaultPlan& m_plan;
};

}  // namespace

TEST_CASE("Floating-point PEs: cpu and array engines give bit-identical logits", "[sim][engine][numerics]") {
  if (!llm::test::have_file(llm::test::shared_file("stories260K.bin"))) return;
  struct Case {
    llm::Precision precision;
    arch::Dataflow dataflow;
    int size;
    llm::HealOptions heal;
  };
  const Case cases[] = {{llm::Precision::BF16, arch::Dataflow::WS, 16, {}},
                        {llm::Precision::FP16, arch::Dataflow::OS, 32, {}},
                        {llm::Precision::FP8E4M3, arch::Dataflow::WS, 8, {}},
                        {llm::Precision::BF16, arch::Dataflow::WS, 16, {true, false}},
                        {llm::Precision::FP16, arch::Dataflow::OS, 16, {false, true}}};
  for (const Case& c : cases) {
    INFO(llm::to_string(c.precision) << " " << arch::to_string(c.dataflow) << " " << c.size << " int16_qkv "
                                     << c.heal.int16_qkv << " compensated " << c.heal.compensated);
    const arch::ArrayConfig cfg = array_of(c.size, c.dataflow, llm::operand_format(c.precision));
    llm::InferenceOptions opts;
    opts.precision = c.precision;
    opts.heal = c.heal;
    models::CpuGemmEngine cpu("auto", 1, cfg);
    sim::ArrayGemmEngine array(cfg, sim::Fidelity::Fold, 1);
    Int16CheckingEngine checked(array);
    const std::vector<float> a = logits_of(cpu, opts, kPrompt), b = logits_of(checked, opts, kPrompt);
    CHECK(same_bits(a, b));
    CHECK(std::all_of(a.begin(), a.end(), [](float v) { return std::isfinite(v); }));
    // 5 layers x (7 projections + 2 x 8 heads) per pass, 4 passes; compensated GEMMs are three calls.
    const std::int64_t attention = 5 * 16 * 4, projections = 5 * 7 * 4;
    CHECK(array.totals().gemms == (c.heal.compensated ? 3 : 1) * (attention + projections));
    CHECK(checked.int16_gemms == (c.heal.int16_qkv ? attention : 0));
    CHECK(checked.bad_operands == 0);
    CHECK(checked.overflows == 0);
    CHECK(checked.mismatches == 0);
  }
}

TEST_CASE("Floating-point PEs: another array size or dataflow rounds differently", "[sim][engine][numerics]") {
  if (!llm::test::have_file(llm::test::shared_file("stories260K.bin"))) return;
  llm::InferenceOptions opts;
  opts.precision = llm::Precision::BF16;
  const auto f = arch::NumberFormat::Bf16;
  models::CpuGemmEngine ws8("auto", 1, array_of(8, arch::Dataflow::WS, f));
  models::CpuGemmEngine ws32("auto", 1, array_of(32, arch::Dataflow::WS, f));
  models::CpuGemmEngine os32("auto", 1, array_of(32, arch::Dataflow::OS, f));
  const std::vector<float> a = logits_of(ws8, opts, kPrompt), b = logits_of(ws32, opts, kPrompt),
                           c = logits_of(os32, opts, kPrompt);
  CHECK_FALSE(same_bits(a, b));
  CHECK_FALSE(same_bits(b, c));
  // Same array twice: same bits (the difference above is the order, not noise).
  models::CpuGemmEngine ws8_again("auto", 2, array_of(8, arch::Dataflow::WS, f));
  CHECK(same_bits(a, logits_of(ws8_again, opts, kPrompt)));
  // INT16 Q/K/V and compensated GEMMs do not make FP32 accumulation order-free, but bring every order close
  // to FP32: the spread between the arrays shrinks (measured: 3.2e-3 -> 8.0e-4 in the logits here).
  opts.heal = {true, true};
  const std::vector<float> ma = logits_of(ws8, opts, kPrompt), mc = logits_of(os32, opts, kPrompt);
  CHECK(max_abs_diff(ma, mc) < max_abs_diff(a, c) / 2);
}

TEST_CASE("Compensated GEMM: much closer to the exact product than plain BF16 or FP16", "[sim][numerics]") {
  // X (m, k), W (k, n) FP32; the exact product in double; plain: both rounded to the 16-bit format once;
  // compensated: hi*hi + (hi*lo + lo*hi) * 2^-p on the same array (OS and WS), combined in FP32.
  // Bound (per output, S = sum_k |x||w|, p the format's significand bits): hi + lo*2^-p misses v by at most
  // 2^-2p |v|, the dropped lo*lo term is at most 2^-2p |x||w|, so the products err by at most 3 * 2^-2p S (+ its
  // square); FP32 accumulation and the combination add at most (k + 2) * 2^-24 S. Plain rounding errs by up to
  // 2^-p S; the test asks the compensated error to stay within the bound and 50x below plain's.
  const std::int64_t m = 12, n = 20, k = 300;
  std::mt19937 rng(5);
  std::normal_distribution<float> g(0.0f, 1.0f);
  std::vector<float> x(static_cast<std::size_t>(m * k)), w(static_cast<std::size_t>(k * n));
  for (float& v : x) v = g(rng);
  for (float& v : w) v = g(rng) * 0.05f;
  for (arch::NumberFormat f : {arch::NumberFormat::Bf16, arch::NumberFormat::Fp16}) {
    for (arch::Dataflow df : {arch::Dataflow::OS, arch::Dataflow::WS}) {
      INFO(arch::to_string(f) << " " << arch::to_string(df));
      const arch::ArrayConfig cfg = array_of(16, df, f);
      std::vector<double> xh(x.size()), xl(x.size()), wh(w.size()), wl(w.size());
      llm::round_operand(x.data(), m, k, k, 1, f, xh.data(), xl.data(), k);
      llm::round_operand(w.data(), k, n, n, 1, f, wh.data(), wl.data(), n);
      std::vector<double> hh(static_cast<std::size_t>(m * n)), hl(hh.size()), lh(hh.size());
      const auto run = [&](const std::vector<double>& a, const std::vector<double>& b, std::vector<double>& y) {
        models::NumericGemmArgs args;
        args.m = m, args.n = n, args.k = k;
        args.x = a.data(), args.ldx = k, args.w = b.data(), args.ldw = n, args.y = y.data(), args.ldy = n;
        models::ordered_gemm(args, cfg.numerics, models::accumulation_order(cfg));
      };
      run(xh, wh, hh);
      run(xh, wl, hl);
      run(xl, wh, lh);
      std::vector<float> comp(hh.size()), plain(hh.size());
      llm::combine_compensated(hh.data(), hl.data(), lh.data(), m, n, llm::compensation_scale(f), comp.data(), n, false);
      llm::store_output(hh.data(), m, n, plain.data(), n, false);
      const double p = arch::info(f).precision;
      double worst_comp = 0, worst_plain = 0;  // error / S
      for (std::int64_t i = 0; i < m; ++i)
        for (std::int64_t j = 0; j < n; ++j) {
          double exact = 0, s = 0;
          for (std::int64_t q = 0; q < k; ++q) {
            const double a = x[static_cast<std::size_t>(i * k + q)], b = w[static_cast<std::size_t>(q * n + j)];
            exact += a * b;  // double: within 2^-50 S, far below the bounds tested
            s += std::fabs(a * b);
          }
          const auto at = static_cast<std::size_t>(i * n + j);
          const double ec = std::fabs(comp[at] - exact) / s, ep = std::fabs(plain[at] - exact) / s;
          CHECK(ec <= 3.0 * std::ldexp(1.0, -2 * static_cast<int>(p)) * 1.01 + (k + 2) * std::ldexp(1.0, -24));
          worst_comp = std::max(worst_comp, ec);
          worst_plain = std::max(worst_plain, ep);
        }
      CHECK(worst_comp * 50 < worst_plain);
    }
  }
}

TEST_CASE("Floating-point PEs under a bitflip campaign: the engine stack's faulty logits on cpu and array equal a naive "
          "loop with the flips at the plan's sites", "[sim][engine][numerics][faults]") {
  if (!llm::test::have_file(llm::test::shared_file("stories260K.bin"))) return;
  const arch::ArrayConfig cfg = array_of(16, arch::Dataflow::OS, arch::NumberFormat::Bf16);
  llm::InferenceOptions opts;
  opts.precision = llm::Precision::BF16;
  faults::BitflipConfig bf;
  bf.ber = 2e-3;
  bf.bit_lo = 10;  // mantissa bits of the fp32 word: the logits stay finite and comparable
  bf.bit_hi = 22;
  bf.seed = 5;
  const auto plan_of = [&] { return std::make_shared<faults::FaultPlan>(bf, faults::FaultTargeting{}); };
  const auto reference_plan = plan_of();
  NaiveFaultyOsEngine naive(*reference_plan);
  const std::vector<float> want = logits_of(naive, opts, kPrompt);
  REQUIRE(naive.flips > 10);
  models::CpuGemmEngine clean_engine("auto", 1, cfg);
  const std::vector<float> clean = logits_of(clean_engine, opts, kPrompt);
  CHECK(!same_bits(want, clean));  // the flips reach the logits
  for (const char* engine : {"cpu", "array"})
    for (int threads : {1, 2}) {
      INFO(engine << " threads " << threads);
      sim::EngineStackSpec spec;
      spec.engine = engine;
      spec.options.array = cfg;
      spec.options.threads = threads;
      spec.plan = plan_of();
      const sim::EngineStack stack = sim::build_engine_stack(spec);
      CHECK(same_bits(logits_of(*stack.engine, opts, kPrompt), want));
      CHECK(spec.plan->fault_count() == naive.flips);
    }
}
