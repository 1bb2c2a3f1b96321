// Output-word bit flips on floating-point PEs (sim/faults/numeric_output_faults.hpp): a flip of bit b in
// OS with the output buffer in the accumulator's format is the last rounding step, so the output changes
// by the closed form of its encoding (sign: -y; exponent bit: y * 2^(+-2^i); mantissa bit: +-2^(e-p+1+b));
// WS is checked against the order written out with MPFR with the flip in the last fold; every engine
// (cpu wrapper, PE-level and fold-level array) gives the same faulty outputs for one plan.
#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <vector>

#include "arch/config_error.hpp"
#include "models/engine/cpu_engine.hpp"
#include "models/gemm/ordered_gemm.hpp"
#include "ordered_reference.hpp"
#include "sim/array_engine.hpp"
#include "sim/faults/fault_injecting_engine.hpp"
#include "sim/faults/fault_model_factory.hpp"
#include "sim/faults/numeric_output_faults.hpp"
#include "test_support.hpp"

using namespace saffire;
using arch::NumberFormat;

namespace {

// A model whose faults are the given list, whatever the GEMM.
class FixedFaults final : public faults::FaultModel {
 public:
  explicit FixedFaults(std::vector<arch::OutputFault> f) : m_faults(std::move(f)) {}
  std::string_view name() const override { return "fixed"; }
  std::vector<arch::OutputFault> output_faults(std::uint64_t, std::int64_t, std::int64_t) const override { return m_faults; }
  std::string to_toml() const override { return "model = \"fixed\"\n"; }

 private:
  std::vector<arch::OutputFault> m_faults;
};

std::shared_ptr<faults::FaultPlan> plan_of(std::vector<arch::OutputFault> f) {
  return std::make_shared<faults::FaultPlan>(std::make_shared<FixedFaults>(std::move(f)), faults::FaultTargeting{});
}

struct Gemm {
  std::int64_t m, n, k;
  std::vector<double> x, w;
};

Gemm random_gemm(NumberFormat operand, std::int64_t m, std::int64_t n, std::int64_t k, std::uint64_t seed) {
  return {m, n, k, test::random_values(operand, static_cast<std::size_t>(m * k), seed, false),
          test::random_values(operand, static_cast<std::size_t>(k * n), seed + 17, false)};
}

// Engine 0: cpu under FaultInjectingEngine; 1: PE-level array; 2: fold-level array.
std::vector<double> run(int engine, const arch::ArrayConfig& cfg, const std::shared_ptr<faults::FaultPlan>& plan,
                        const Gemm& g) {
  std::vector<double> y(static_cast<std::size_t>(g.m * g.n), -7.0);
  const models::NumericGemmArgs args{g.m, g.n, g.k, g.x.data(), g.k, g.w.data(), g.n, y.data(), g.n};
  if (engine == 0) {
    faults::FaultInjectingEngine cpu(models::make_cpu_engine("auto", 1, cfg), cfg, plan);
    cpu.numeric_gemm({}, args);
  } else {
    sim::ArrayGemmEngine arr(cfg, engine == 1 ? sim::Fidelity::PE : sim::Fidelity::Fold, 1);
    arr.set_fault_plan(plan);
    arr.numeric_gemm({}, args);
  }
  return y;
}

arch::ArrayConfig array(NumberFormat op, NumberFormat acc, NumberFormat buffer, arch::Dataflow df, int rows, bool fma) {
  arch::ArrayConfig cfg;
  cfg.rows = rows;
  cfg.cols = 3;
  cfg.dataflow = df;
  arch::set_numeric_types(cfg, op, acc, buffer);
  cfg.numerics.fma = fma;
  return cfg;
}

// The closed form of flipping bit b of a finite normal value y of format f (nullopt where the flip leaves
// the normal range: exponent field 0 or all ones).
std::optional<double> closed_form_flip(NumberFormat f, double y, int b) {
  const arch::FormatInfo& in = arch::info(f);
  const int mant = in.precision - 1;          // stored mantissa bits
  if (b == in.bits - 1) return -y;            // the sign bit
  int e2 = 0;
  std::frexp(y, &e2);
  const int e = e2 - 1;                       // y = +-1.f * 2^e
  const int field = e - in.emin + 1;          // the biased exponent field (1 .. 2^E - 2 for normals)
  if (b >= mant) {
    const int flipped = field ^ (1 << (b - mant));
    if (flipped == 0 || flipped == (1 << in.exponent_bits) - 1) return std::nullopt;
    return std::ldexp(y, flipped - field);
  }
  // Mantissa bit b weighs 2^(e - mant + b): set adds it to |y|, clear subtracts it.
  const double weight = std::ldexp(1.0, e - mant + b);
  const bool set = static_cast<std::int64_t>(std::ldexp(std::fabs(y), mant - e)) >> b & 1;
  return std::copysign(std::fabs(y) + (set ? -weight : weight), y);
}

}  // namespace

TEST_CASE("numeric faults: an OS flip of bit b changes exactly that output by the closed form", "[unit]") {
  struct Design {
    NumberFormat op, acc;
  };
  for (const Design d : {Design{NumberFormat::Bf16, NumberFormat::Fp32}, Design{NumberFormat::Fp16, NumberFormat::Fp16},
                         Design{NumberFormat::Fp8E4M3, NumberFormat::Bf16}}) {
    const arch::ArrayConfig cfg = array(d.op, d.acc, d.acc, arch::Dataflow::OS, 4, true);
    const Gemm g = random_gemm(d.op, 3, 4, 7, 11);
    const std::vector<double> clean = run(0, cfg, plan_of({}), g);
    const std::int64_t site = 1 * g.n + 2;
    REQUIRE(std::isnormal(clean[site]));
    int checked = 0;
    for (int b = 0; b < arch::info(d.acc).bits; ++b) {
      INFO(arch::describe(cfg.numerics) << " bit " << b);
      const std::vector<double> y = run(0, cfg, plan_of({{1, 2, b}}), g);
      for (std::size_t i = 0; i < y.size(); ++i)
        if (static_cast<std::int64_t>(i) != site) CHECK(models::same_value(y[i], clean[i]));
      if (const auto want = closed_form_flip(d.acc, clean[site], b)) {
        CHECK(y[site] == *want);
        ++checked;
      } else {
        CHECK(!std::isnormal(y[site]));  // the flip made a zero/subnormal or all-ones exponent
      }
    }
    CHECK(checked >= arch::info(d.acc).bits - 2);
  }
}

TEST_CASE("numeric faults: a WS flip lands in the last fold's partial sum, as MPFR's order says", "[unit]") {
  struct Design {
    NumberFormat op, acc, buffer;
    bool fma;
    int rows;
    std::int64_t k;
  };
  const Design designs[] = {{NumberFormat::Bf16, NumberFormat::Fp32, NumberFormat::Fp32, true, 4, 10},
                            {NumberFormat::Fp16, NumberFormat::Fp16, NumberFormat::Fp32, false, 3, 9},
                            {NumberFormat::Fp8E5M2, NumberFormat::Bf16, NumberFormat::Bf16, true, 5, 7}};
  test::MpfrReference ref;
  for (const Design& d : designs) {
    const arch::ArrayConfig cfg = array(d.op, d.acc, d.buffer, arch::Dataflow::WS, d.rows, d.fma);
    const Gemm g = random_gemm(d.op, 2, 3, d.k, 5);
    for (int b : {0, 5, arch::info(d.acc).precision - 2, arch::info(d.acc).bits - 2, arch::info(d.acc).bits - 1}) {
      INFO(arch::describe(cfg.numerics) << " bit " << b);
      const std::int64_t i = 1, j = 2;
      // The order written out with MPFR (tests/ordered_reference.hpp), the flip after the mac of step K-1.
      double want = 0.0;
      for (std::int64_t k0 = 0; k0 < g.k; k0 += d.rows) {
        const std::int64_t k1 = std::min(g.k, k0 + d.rows);
        double p = 0.0;
        for (std::int64_t kk = k0; kk < k1; ++kk)
          p = ref.mac(d.acc, d.fma, p, g.x[static_cast<std::size_t>(i * g.k + kk)], g.w[static_cast<std::size_t>(kk * g.n + j)]);
        if (k1 == g.k) p = arch::decode(d.acc, arch::encode(d.acc, p) ^ (1u << b));
        if (k1 - k0 < d.rows) p = ref.mac(d.acc, d.fma, p, 0.0, 0.0);
        want = ref.add(d.buffer, want, p);
      }
      for (int e = 0; e < 3; ++e) {
        INFO("engine " << e);
        CHECK(models::same_value(run(e, cfg, plan_of({{i, j, b}}), g)[static_cast<std::size_t>(i * g.n + j)], want));
      }
    }
  }
}

TEST_CASE("numeric faults: one bitflip plan, the same faulty outputs on cpu and both array fidelities", "[unit]") {
  for (arch::Dataflow df : {arch::Dataflow::WS, arch::Dataflow::OS}) {
    const arch::ArrayConfig cfg = array(NumberFormat::Bf16, NumberFormat::Fp32, NumberFormat::Fp32, df, 4, true);
    const Gemm g = random_gemm(NumberFormat::Bf16, 9, 7, 13, 3);
    faults::BitflipConfig bf;
    bf.ber = 0.2;
    bf.bit_lo = 0;
    bf.bit_hi = 31;
    bf.seed = 9;
    std::vector<std::vector<double>> outs;
    std::vector<std::int64_t> counts;
    for (int e = 0; e < 3; ++e) {
      auto plan = std::make_shared<faults::FaultPlan>(bf, faults::FaultTargeting{});
      outs.push_back(run(e, cfg, plan, g));
      counts.push_back(plan->fault_count());
    }
    const std::vector<double> clean = run(2, cfg, plan_of({}), g);
    std::size_t changed = 0;
    for (std::size_t i = 0; i < clean.size(); ++i) changed += !models::same_value(outs[0][i], clean[i]);
    INFO(arch::to_string(df));
    CHECK(counts[0] > 3);
    CHECK(changed > 0);
    for (int e = 1; e < 3; ++e) {
      CHECK(counts[static_cast<std::size_t>(e)] == counts[0]);
      for (std::size_t i = 0; i < clean.size(); ++i) CHECK(models::same_value(outs[static_cast<std::size_t>(e)][i], outs[0][i]));
    }
  }
}

TEST_CASE("numeric faults: a bit past the accumulator word and stuck-at bits are refused", "[unit]") {
  const arch::ArrayConfig cfg = array(NumberFormat::Fp16, NumberFormat::Fp16, NumberFormat::Fp16, arch::Dataflow::OS, 4, true);
  const Gemm g = random_gemm(NumberFormat::Fp16, 2, 2, 3, 1);
  const std::string msg = test::error_of([&] { run(0, cfg, plan_of({{0, 0, 16}}), g); });
  CHECK(msg.find("fault.bit: bit 16 is not a bit of the fp16 accumulator (0..15)") != std::string::npos);
  faults::FaultModelParams p;
  p.model = "stuck-at";
  p.array = cfg;
  p.stuck.push_back({0, 0, 3, 1});
  auto stuck = std::make_shared<faults::FaultPlan>(faults::make_fault_model(p), faults::FaultTargeting{});
  for (int e : {0, 2}) {
    const std::string m2 = test::error_of([&] { run(e, cfg, stuck, g); });
    CHECK(m2.find("--fault-model stuck-at: runs on INT8 arrays only") != std::string::npos);
  }
}

TEST_CASE("numeric timing faults: exact at nominal, the adder rule at every accumulate, the same on every engine", "[unit]") {
  for (arch::Dataflow df : {arch::Dataflow::WS, arch::Dataflow::OS}) {
    const arch::ArrayConfig cfg = array(NumberFormat::Bf16, NumberFormat::Fp32, NumberFormat::Fp32, df, 4, true);
    const Gemm g = random_gemm(NumberFormat::Bf16, 5, 7, 30, 21);
    const std::vector<double> clean = run(2, cfg, plan_of({}), g);
    for (double v : {0.9, 0.5}) {
      arch::VoltageConfig vc = arch::voltage_defaults(cfg);
      vc.v = v;
      const auto tm = std::make_shared<const arch::TimingModel>(vc, cfg.rows, cfg.cols);
      std::vector<std::vector<double>> outs;
      std::vector<std::vector<faults::LoggedFault>> logs;
      for (int e = 0; e < 3; ++e) {
        auto plan = std::make_shared<faults::FaultPlan>(tm, faults::FaultTargeting{});
        outs.push_back(run(e, cfg, plan, g));
        logs.push_back(plan->log());
      }
      INFO(arch::to_string(df) << " V " << v);
      for (int e = 1; e < 3; ++e) {
        CHECK(logs[static_cast<std::size_t>(e)].size() == logs[0].size());
        for (std::size_t i = 0; i < clean.size(); ++i) CHECK(models::same_value(outs[static_cast<std::size_t>(e)][i], outs[0][i]));
      }
      std::size_t changed = 0;
      for (std::size_t i = 0; i < clean.size(); ++i) changed += !models::same_value(outs[0][i], clean[i]);
      if (v == 0.9) {
        CHECK(logs[0].empty());
        CHECK(changed == 0);
        continue;
      }
      REQUIRE(!logs[0].empty());
      CHECK(changed > 0);
      // Each logged error is the adder rule on its own operands: the latched word misses 2^(j + lsb).
      for (const faults::LoggedFault& f : logs[0]) {
        const double before = arch::decode(NumberFormat::Fp32, static_cast<std::uint32_t>(f.values.before));
        const double after = arch::decode(NumberFormat::Fp32, static_cast<std::uint32_t>(f.values.after));
        CHECK(before != after);
        CHECK(f.fault.bit >= 0);
        CHECK(f.fault.bit <= 27);
      }
    }
  }
}
