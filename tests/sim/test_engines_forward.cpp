// A whole W8A8 forward pass of stories260K on every engine: every GEMM's INT32 outputs must be
// bit-identical (cpu, array at fold level, array at PE level, cuda when a GPU is present), with and
// without bitflip faults (same config and seed -> same faults, same outputs).
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

#include "models/engine/cpu_engine.hpp"
#include "models/llm/transformer.hpp"
#include "sim/array_engine.hpp"
#include "sim/engine_factory.hpp"
#include "sim/faults/fault_injecting_engine.hpp"
#include "tests/models/llm/llm_test_support.hpp"

using namespace saffire;

namespace {

/// Forwards to an engine and keeps a copy of every GEMM's INT32 output, keyed by its identity.
class CapturingEngine final : public models::GemmEngine {
 public:
  explicit CapturingEngine(models::GemmEngine& inner) : m_inner(inner) {}
  std::string_view name() const override { return m_inner.name(); }
  void gemm(const models::GemmId& id, const models::Int8GemmArgs& args) override {
    m_inner.gemm(id, args);
    std::vector<std::int32_t> y;
    y.reserve(static_cast<std::size_t>(args.m * args.n));
    for (std::int64_t i = 0; i < args.m; ++i) y.insert(y.end(), args.y + i * args.ldy, args.y + i * args.ldy + args.n);
    outputs.emplace_back(models::to_string(id), std::move(y));
  }
  std::vector<std::pair<std::string, std::vector<std::int32_t>>> outputs;

 private:
  models::GemmEngine& m_inner;
};

struct PassResult {
  std::vector<std::pair<std::string, std::vector<std::int32_t>>> gemms;
  std::vector<float> logits;
};

/// Prefill of the golden prompt, then 3 decode steps, on `engine`.
PassResult forward_pass(models::GemmEngine& engine) {
  CapturingEngine capture(engine);
  models::llm::InferenceOptions opts;
  opts.precision = models::llm::Precision::W8A8;
  models::llm::Transformer model(models::llm::test::stories260k(), opts, &capture);
  const std::vector<int> prompt = {1, 403, 407, 261, 378};
  model.begin_sequence(0);
  auto logits = model.prefill(prompt);
  PassResult r;
  int pos = static_cast<int>(prompt.size());
  for (int step = 0; step < 3; ++step, ++pos) {
    const int next = static_cast<int>(std::max_element(logits.begin(), logits.end()) - logits.begin());
    logits = model.decode(next, pos);
  }
  r.logits.assign(logits.begin(), logits.end());
  r.gemms = std::move(capture.outputs);
  return r;
}

void check_identical(const PassResult& a, const PassResult& b) {
  REQUIRE(a.gemms.size() == b.gemms.size());
  std::size_t differing = 0;
  for (std::size_t i = 0; i < a.gemms.size(); ++i) {
    INFO("GEMM " << a.gemms[i].first);
    CHECK(a.gemms[i].first == b.gemms[i].first);
    differing += a.gemms[i].second != b.gemms[i].second;
  }
  CHECK(differing == 0);
  CHECK(a.logits == b.logits);
}

}  // namespace

TEST_CASE("W8A8 forward pass: cpu, array (fold and PE) and cuda give identical INT32 outputs", "[sim][engine][golden]") {
  arch::ArrayConfig cfg;
  cfg.rows = 16;
  cfg.cols = 8;
  models::CpuGemmEngine cpu("auto", 1);
  const PassResult reference = forward_pass(cpu);
  const auto& config = models::llm::test::stories260k().config();
  const auto per_pass = static_cast<std::size_t>(config.n_layers * config.gemms_per_layer(true));
  CHECK(reference.gemms.size() == per_pass * 4u);  // (prefill + 3 decodes)
  CHECK(reference.gemms.size() == 5u * 23u * 4u);  // stories260K: 5 layers x (7 + 2 * 8 heads)
  for (arch::Dataflow df : {arch::Dataflow::WS, arch::Dataflow::OS}) {
    cfg.dataflow = df;
    for (sim::Fidelity f : {sim::Fidelity::Fold, sim::Fidelity::PE}) {
      INFO("array " << arch::to_string(df) << " " << sim::to_string(f));
      sim::ArrayGemmEngine array(cfg, f, 1);
      check_identical(reference, forward_pass(array));
      CHECK(array.totals().gemms == static_cast<std::int64_t>(reference.gemms.size()));
    }
  }
  // Ask whether a GPU is usable instead of catching the factory's error: an exception thrown after
  // SystemC has switched stacks confuses ASan (false stack-use-after-scope reports).
  const auto kernels = models::int8_gemm_kernel_names();
  if (std::find(kernels.begin(), kernels.end(), "cuda") != kernels.end()) {
    check_identical(reference, forward_pass(*sim::make_gemm_engine("cuda")));
  } else {
    WARN("cuda engine part skipped: no CUDA build or no CUDA-capable GPU");
  }
}

TEST_CASE("Faulty W8A8 forward pass: the same faults and outputs on cpu and array engines", "[sim][engine][fault]") {
  arch::ArrayConfig cfg;
  cfg.rows = 8;
  cfg.cols = 8;
  faults::BitflipConfig bf;
  bf.ber = 2e-3;
  bf.bit_lo = 0;
  bf.bit_hi = 30;
  bf.seed = 11;
  for (arch::Dataflow df : {arch::Dataflow::WS, arch::Dataflow::OS}) {
    cfg.dataflow = df;
    INFO("dataflow " << arch::to_string(df));
    auto cpu_plan = std::make_shared<faults::FaultPlan>(bf, faults::FaultTargeting{});
    faults::FaultInjectingEngine cpu(models::make_cpu_engine("auto", 2), cfg, cpu_plan);
    const PassResult a = forward_pass(cpu);
    for (sim::Fidelity f : {sim::Fidelity::Fold, sim::Fidelity::PE}) {
      auto plan = std::make_shared<faults::FaultPlan>(bf, faults::FaultTargeting{});
      sim::ArrayGemmEngine array(cfg, f, 1);
      array.set_fault_plan(plan);
      check_identical(a, forward_pass(array));
      CHECK(plan->fault_count() == cpu_plan->fault_count());
    }
    CHECK(cpu_plan->fault_count() > 0);
    // Faults change the outputs: the clean run differs.
    models::CpuGemmEngine clean("auto", 1);
    const PassResult c = forward_pass(clean);
    std::size_t differing = 0;
    for (std::size_t i = 0; i < c.gemms.size(); ++i) differing += c.gemms[i].second != a.gemms[i].second;
    CHECK(differing > 0);
  }
}
