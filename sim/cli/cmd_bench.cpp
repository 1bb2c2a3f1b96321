// saffire bench: simulation speed figures (fold-level MAC/s vs the bare INT8 kernel, PE-level
// PE-cycles/s). Prints figures; tests never time anything.
#include <fmt/core.h>
#include <omp.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <nlohmann/json.hpp>

#include "arch/timing/timing_bench.hpp"
#include "arch/timing/timing_model.hpp"
#include "models/engine/cpu_engine.hpp"
#include "models/gemm/gemm_bench.hpp"
#include "models/llm/language_model.hpp"
#include "models/llm/perplexity.hpp"
#include "models/llm/model_files.hpp"
#include "sim/engine_factory.hpp"
#include "sim/faults/fault_injecting_engine.hpp"
#include "abft/engine/abft_engine.hpp"
#include "sim/array_engine.hpp"
#include "sim/array_model.hpp"
#include "sim/cli/bench_hf_models.hpp"
#include "sim/cli/commands.hpp"
#include "sim/memory/dram/dram_bench.hpp"
#include "sim/sweep/process_pool.hpp"
#include "models/workload/gemm_operands.hpp"
#include "models/workload/numeric_operands.hpp"

namespace saffire::cli {
namespace {

struct BenchOptions {
  std::int64_t fold_size = 4096;  // fold-level GEMM is size^3
  int fold_array = 128;
  std::int64_t pe_size = 512;
  int pe_array = 32;
  std::string kernel = "auto";
  bool json = false;
  bool skip_kernels = false;  // skip the per-kernel GEMM table
  bool skip_numeric = false;  // skip the floating-point fold-level figures
  int eval_paragraphs = 50;   // paragraphs of the tokens/s measurement (0 = skip)
  bool skip_topology = false;  // skip the topology wall times (the dram one takes a minute or more)
  bool only_hf = false;        // only the Hugging Face figures (bench_hf_models.hpp)
  bool hf_full = false;        // GPT-2-small and TinyLlama-1.1B at their real sizes
  bool load_rss = false;       // the peak RSS of a W8A8 load (a child process; 2.2 GB written with --hf-full)
  std::string load_rss_child;  // internal: be that child for this folder
};

void run_hf_benches(nlohmann::json& out, const BenchOptions& o) {
  bench_hf_eval(out, o.json, o.hf_full);
  if (o.load_rss) bench_hf_load_rss(out, o.json, o.hf_full);
}

// INT8 GEMM GMAC/s of every kernel on 1024^3 and the GEMM shapes of one LLaMA-2-7B layer at 2048 tokens.
void bench_kernels(nlohmann::json& out, bool json) {
  struct Shape {
    const char* name;
    std::int64_t m, n, k;
  };
  const Shape shapes[] = {{"1024^3", 1024, 1024, 1024},
                          {"llama2-7b q/k/v/o 2048x4096x4096", 2048, 4096, 4096},
                          {"llama2-7b gate/up 2048x11008x4096", 2048, 11008, 4096},
                          {"llama2-7b down 2048x4096x11008", 2048, 4096, 11008},
                          {"llama2-7b qk^T/head 2048x2048x128", 2048, 2048, 128},
                          {"decode gemv 1x4096x4096", 1, 4096, 4096}};
  if (!json) fmt::print("\nINT8 GEMM kernels (GMAC/s, all threads)\n");
  for (const auto& name : models::int8_gemm_kernel_names()) {
    if (name == "naive") continue;
    const auto kernel = models::make_int8_gemm_kernel(name);
    for (const auto& s : shapes) {
      const double g = models::measure_int8_gemm_gmacs(*kernel, s.m, s.n, s.k, 0, 0.5);
      out["kernels"][name][s.name] = g;
      if (!json) fmt::print("  {:<10} {:<36} {:8.1f} GMAC/s\n", name, s.name, g);
    }
  }
}

// Injected INT8 GEMM throughput (bitflip, WS 128x128 mapping) against the clean GEMM, 1024^3.
void bench_injection(nlohmann::json& out, bool json) {
  const arch::GemmShape s{1024, 1024, 1024};
  const models::GemmOperands ops = models::random_gemm_operands(s, 3);
  std::vector<std::int32_t> y(static_cast<std::size_t>(s.m * s.n));
  const models::Int8GemmArgs args{s.m, s.n, s.k, ops.x.data(), s.k, ops.w.data(), s.n, y.data(), s.n, false};
  arch::ArrayConfig cfg;
  cfg.rows = cfg.cols = 128;
  auto rate = [&](models::GemmEngine& engine) {
    double best = 0;
    for (int rep = 0; rep < 5; ++rep) {
      models::GemmId id;
      id.layer = rep;  // another GEMM identity each time: other fault sites
      const auto t0 = std::chrono::steady_clock::now();
      engine.gemm(id, args);
      const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      best = std::max(best, static_cast<double>(s.macs()) / sec / 1e9);
    }
    return best;
  };
  auto clean = models::make_cpu_engine("auto", 0);
  const double clean_rate = rate(*clean);
  out["injection"]["clean_gmacs"] = clean_rate;
  if (!json) fmt::print("\nBitflip injection, 1024^3 INT8 GEMM (WS 128x128 mapping), all threads\n  clean       {:8.1f} GMAC/s\n", clean_rate);
  for (double ber : {1e-6, 1e-4, 1e-2}) {
    faults::BitflipConfig bf;
    bf.ber = ber;
    bf.bit_lo = 0;
    bf.bit_hi = 29;
    auto plan = std::make_shared<faults::FaultPlan>(bf, faults::FaultTargeting{});
    faults::FaultInjectingEngine engine(models::make_cpu_engine("auto", 0), cfg, plan);
    const double r = rate(engine);
    out["injection"]["ber_" + fmt::format("{:g}", ber) + "_gmacs"] = r;
    if (!json) fmt::print("  BER {:<7g} {:8.1f} GMAC/s ({:.0f} % of clean)\n", ber, r, 100.0 * r / clean_rate);
  }

  // Timing model: every accumulate checked (512^3 at 0.62 V on 128x128, fold level, one thread).
  const arch::GemmShape ts{512, 512, 512};
  const models::GemmOperands tops = models::random_gemm_operands(ts, 4);
  std::vector<std::int32_t> ty(static_cast<std::size_t>(ts.m * ts.n));
  arch::VoltageConfig vc;
  vc.v = 0.62;
  const arch::TimingModel tm(vc, cfg.rows, cfg.cols);
  if (!json) fmt::print("Timing-model injection, 512^3 at {} V on 128x128 (fold level, one thread)\n", vc.v);
  for (arch::Dataflow df : {arch::Dataflow::WS, arch::Dataflow::OS}) {
    cfg.dataflow = df;
    std::vector<faults::AccumulateError> errors;
    sim::ArrayModel model(cfg, sim::Fidelity::Fold, 1);
    const sim::ArrayRunStats st = model.run({ts.m, ts.n, ts.k, tops.x.data(), ts.k, tops.w.data(), ts.n, ty.data(), ts.n, false},
                                            {nullptr, &tm, &errors});
    const double r = static_cast<double>(ts.macs()) / st.host_seconds;
    out["injection"]["timing_" + std::string(arch::to_string(df)) + "_checked_macs_per_s"] = r;
    if (!json)
      fmt::print("  {}  {:.3g} checked MACs/s ({} errors; target >= 2e8 per core)\n", arch::to_string(df), r, errors.size());
  }
}

// ABFT cost in the fold-level path: the same faulty GEMM on the array engine with and without the
// checksum checks and the statistical decision (recomputations excluded: BER 1e-6 of bit 0..29 flips
// on 1024^2 outputs rarely triggers one). Target: at most 10 % over the run without ABFT.
void bench_abft(nlohmann::json& out, bool json) {
  const arch::GemmShape s{1024, 1024, 1024};
  const models::GemmOperands ops = models::random_gemm_operands(s, 5);
  std::vector<std::int32_t> y(static_cast<std::size_t>(s.m * s.n));
  const models::Int8GemmArgs args{s.m, s.n, s.k, ops.x.data(), s.k, ops.w.data(), s.n, y.data(), s.n, false};
  arch::ArrayConfig cfg;
  cfg.rows = cfg.cols = 128;
  faults::BitflipConfig bf;
  bf.ber = 1e-6;
  bf.bit_lo = 0;
  bf.bit_hi = 29;
  if (!json) fmt::print("\nABFT in the fold-level path, 1024^3 on 128x128 WS, BER 1e-6, all threads\n");
  double base = 0;
  for (const char* scheme_name : {"none", "classic", "statistical"}) {
    const abft::Scheme scheme = abft::Scheme::parse(scheme_name);
    auto plan = std::make_shared<faults::FaultPlan>(bf, faults::FaultTargeting{});
    auto array = std::make_unique<sim::ArrayGemmEngine>(cfg, sim::Fidelity::Fold, 0);
    array->set_fault_plan(plan);
    std::unique_ptr<models::GemmEngine> engine = std::move(array);
    abft::AbftEngine* abft = nullptr;
    if (scheme != abft::Scheme{}) {
      abft::AbftConfig ac;
      ac.scheme = scheme;
      auto guarded = std::make_unique<abft::AbftEngine>(std::move(engine), models::make_cpu_engine("auto", 0), plan, cfg, ac);
      abft = guarded.get();
      engine = std::move(guarded);
    }
    double best = 1e30;
    for (int rep = 0; rep < 5; ++rep) {
      models::GemmId id;
      id.layer = rep;
      const auto t0 = std::chrono::steady_clock::now();
      engine->gemm(id, args);
      best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    if (scheme == abft::Scheme{}) base = best;
    const std::string name(abft::to_string(scheme));
    out["abft"][name + "_seconds"] = best;
    if (!json)
      fmt::print("  {:<12} {:7.1f} ms ({:+.1f} % over no ABFT{})\n", name, best * 1e3, 100.0 * (best / base - 1.0),
                 abft && abft->totals().recomputed > 0 ? ", incl. a recomputation" : "");
  }
}

// Tokens/s of W8A8 `eval` on stories260K per engine (skipped when the model files are absent).
void bench_eval(nlohmann::json& out, bool json, int paragraphs) {
  namespace llm = models::llm;
  std::unique_ptr<llm::LanguageModel> loaded;
  std::string text;
  try {
    // W8A8 only: the projections as INT8 straight from the mapped file, as eval loads them.
    loaded = std::make_unique<llm::LanguageModel>(
        llm::load_language_model("", "", llm::WeightStorage::MappedProjections));
    text = llm::read_file(llm::resolve_model_file(llm::kDefaultTextFile, ""));
  } catch (const std::exception& e) {
    if (!json) fmt::print("\nW8A8 eval tokens/s skipped: {}\n", e.what());
    return;
  }
  const llm::LanguageModel& lm = *loaded;
  if (!json) fmt::print("\nW8A8 eval of stories260K ({} paragraphs, ctx 256, 1 thread), tokens/s per engine\n", paragraphs);
  llm::InferenceOptions inf;
  inf.precision = llm::Precision::W8A8;
  llm::PerplexityOptions po;
  po.paragraphs = paragraphs;
  for (const auto& name : sim::gemm_engine_names()) {
    const auto engine = make_bench_engine(name, json);
    if (!engine) continue;
    llm::Transformer model(lm.checkpoint, inf, engine.get());
    const auto r = llm::evaluate_perplexity(model, lm.tokenizer, text, po);
    const double tps = static_cast<double>(r.tokens_processed) / std::max(r.seconds, 1e-9);
    out["eval_tokens_per_s"][name] = tps;
    if (!json) fmt::print("  {:<6} {:8.0f} tokens/s (PPL {:.4f})\n", name, tps, r.ppl);
  }
}

double best_fold_rate(const arch::ArrayConfig& cfg, const models::GemmOperands& ops, int threads, const std::string& kernel,
                      std::vector<std::int32_t>& y) {
  sim::ArrayModel model(cfg, sim::Fidelity::Fold, threads, kernel);
  const auto& s = ops.shape;
  double best = 0;
  for (int rep = 0; rep < 2; ++rep) {
    const auto stats = model.run({s.m, s.n, s.k, ops.x.data(), s.k, ops.w.data(), s.n, y.data(), s.n, false});
    best = std::max(best, static_cast<double>(s.macs()) / stats.host_seconds);
  }
  return best;
}

// Fold level in floating point: best of two runs, simulated MAC/s.
double best_numeric_fold_rate(const arch::ArrayConfig& cfg, const models::NumericOperands& ops, int threads,
                              std::vector<double>& y) {
  sim::ArrayModel model(cfg, sim::Fidelity::Fold, threads);
  const auto& s = ops.shape;
  double best = 0;
  for (int rep = 0; rep < 2; ++rep) {
    const auto stats = model.run({s.m, s.n, s.k, ops.x.data(), s.k, ops.w.data(), s.n, y.data(), s.n});
    best = std::max(best, static_cast<double>(s.macs()) / stats.host_seconds);
  }
  return best;
}

// Floating-point PEs at fold level beside the INT8 rate of the same array and thread count (target:
// >= 25 % of it for fp32 accumulators). FP16/BF16 accumulators take the scalar step: a smaller GEMM.
void bench_numeric_fold(nlohmann::json& out, bool json, const BenchOptions& o, int threads,
                        const std::map<arch::Dataflow, double>& int8_rate) {
  struct Design {
    const char* name;
    arch::NumberFormat operand, accumulator;
    bool fma;
    std::int64_t size;
  };
  const Design designs[] = {{"bf16-fp32-fma", arch::NumberFormat::Bf16, arch::NumberFormat::Fp32, true, o.fold_size},
                            {"fp8e4m3-fp32-mul-add", arch::NumberFormat::Fp8E4M3, arch::NumberFormat::Fp32, false,
                             o.fold_size},
                            {"fp16-fp16-fma", arch::NumberFormat::Fp16, arch::NumberFormat::Fp16, true,
                             std::min<std::int64_t>(o.fold_size, 256)}};
  for (const Design& d : designs) {
    const arch::GemmShape shape{d.size, d.size, d.size};
    const models::NumericOperands ops = models::random_numeric_operands(shape, d.operand, 1);
    std::vector<double> y(static_cast<std::size_t>(shape.m * shape.n));
    for (arch::Dataflow df : {arch::Dataflow::WS, arch::Dataflow::OS}) {
      arch::ArrayConfig cfg;
      cfg.rows = cfg.cols = o.fold_array;
      cfg.dataflow = df;
      arch::set_numeric_types(cfg, d.operand, d.accumulator, std::nullopt);
      cfg.numerics.fma = d.fma;
      const double rate = best_numeric_fold_rate(cfg, ops, threads, y);
      const double ratio = rate / int8_rate.at(df);
      auto& j = out["fold"][std::to_string(threads) + "_threads"][d.name];
      j[std::string(arch::to_string(df)) + "_gmacs"] = rate / 1e9;
      j[std::string(arch::to_string(df)) + "_of_int8"] = ratio;
      if (!json)
        fmt::print("               {} {:<21} {:8.2f} GMAC/s  ({:.0f} % of INT8 fold level{})\n", arch::to_string(df),
                   fmt::format("{} {}^3", d.name, d.size), rate / 1e9, 100.0 * ratio,
                   d.size == o.fold_size ? "" : ", smaller GEMM");
    }
  }
}

// User + system CPU seconds of this process's finished (waited-for) children.
double children_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_CHILDREN, &u);
  auto sec = [](const timeval& t) { return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec); };
  return sec(u.ru_utime) + sec(u.ru_stime);
}

// Wall time of `saffire topology --model llama-2-7b --seq 2048` on one host thread with the scalesim and
// dram memory models (targets: 5 s and 60 s), run as a child process of this very binary so the figure is
// exactly what a user's command costs (start-up, model preset, reports and trace included).
void bench_topology(nlohmann::json& out, bool json) {
  if (!json)
    fmt::print("\ntopology --model llama-2-7b --seq 2048 (defaults: 32x32 WS, HBM2E for dram), one host thread, wall time\n");
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / fmt::format("saffire_bench_{}", getpid());
  sim::ProcessPool pool(sim::self_executable(), 1);
  for (const char* model : {"scalesim", "dram"}) {
    const std::vector<std::string> args{"topology", "--model", "llama-2-7b", "--seq", "2048", "--memory", model,
                                        "--threads", "1", "--json", "--out", (dir / model).string()};
    const double cpu_before = children_cpu_seconds();
    pool.run({args}, [&](const sim::ChildResult& r) {
      if (r.exit_code != 0) throw std::runtime_error(fmt::format("bench: topology --memory {} failed: {}", model, r.err));
      // CPU time as well: on a loaded machine the wall time counts other processes' share of the core.
      const double cpu = children_cpu_seconds() - cpu_before;
      const double target = std::string(model) == "scalesim" ? 5.0 : 60.0;
      out["topology"][std::string(model) + "_seconds"] = r.seconds;
      out["topology"][std::string(model) + "_cpu_seconds"] = cpu;
      if (!json) fmt::print("  {:<9} {:7.2f} s wall, {:7.2f} s CPU (target < {:.0f} s)\n", model, r.seconds, cpu, target);
    });
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

void run_bench(const BenchOptions& o) {
  if (!o.load_rss_child.empty()) return hf_load_rss_child(o.load_rss_child);
  const int all = omp_get_max_threads();
  nlohmann::json out;
  if (o.only_hf) {
    run_hf_benches(out, o);
    if (o.json) fmt::print("{}\n", out.dump(2));
    return;
  }
  const auto kernel = models::make_int8_gemm_kernel(o.kernel);
  if (!o.json)
    fmt::print("saffire bench ({} host threads available, INT8 kernel '{}')\n\n", all, kernel->name());

  // Fold level: size^3 on an array of fold_array^2, WS and OS, 1 thread and all threads.
  const arch::GemmShape shape{o.fold_size, o.fold_size, o.fold_size};
  const models::GemmOperands ops = models::random_gemm_operands(shape, 1);
  std::vector<std::int32_t> y(static_cast<std::size_t>(shape.m * shape.n));
  if (!o.json)
    fmt::print("Fold level, {0}^3 GEMM on a {1}x{1} array (simulated MAC/s; bare = one INT8 GEMM of the full shape)\n",
               o.fold_size, o.fold_array);
  for (int threads : {1, all}) {
    const double bare = models::measure_int8_gemm_gmacs(*kernel, shape.m, shape.n, shape.k, threads, 1.0) * 1e9;
    out["fold"][std::to_string(threads) + "_threads"]["bare_gmacs"] = bare / 1e9;
    if (!o.json) fmt::print("  {} thread(s): bare kernel {:8.1f} GMAC/s\n", threads, bare / 1e9);
    std::map<arch::Dataflow, double> int8_rate;
    for (arch::Dataflow df : {arch::Dataflow::WS, arch::Dataflow::OS}) {
      arch::ArrayConfig cfg;
      cfg.rows = cfg.cols = o.fold_array;
      cfg.dataflow = df;
      const double rate = best_fold_rate(cfg, ops, threads, o.kernel, y);
      int8_rate[df] = rate;
      out["fold"][std::to_string(threads) + "_threads"][std::string(arch::to_string(df)) + "_gmacs"] = rate / 1e9;
      if (!o.json)
        fmt::print("               {} fold-level {:8.1f} GMAC/s  ({:.0f} % of bare)\n", arch::to_string(df), rate / 1e9,
                   100.0 * rate / bare);
    }
    if (!o.skip_numeric) bench_numeric_fold(out, o.json, o, threads, int8_rate);
    if (all == 1) break;
  }

  // PE level: pe_size^3 on a pe_array^2 array: every PE register, every cycle.
  const arch::GemmShape pe_shape{o.pe_size, o.pe_size, o.pe_size};
  const models::GemmOperands pe_ops = models::random_gemm_operands(pe_shape, 2);
  std::vector<std::int32_t> pe_y(static_cast<std::size_t>(pe_shape.m * pe_shape.n));
  if (!o.json) fmt::print("\nPE level, {0}^3 GEMM on a {1}x{1} array (PE-cycles/s = R*C*cycles / host s)\n", o.pe_size, o.pe_array);
  for (arch::Dataflow df : {arch::Dataflow::WS, arch::Dataflow::OS}) {
    arch::ArrayConfig cfg;
    cfg.rows = cfg.cols = o.pe_array;
    cfg.dataflow = df;
    sim::ArrayModel model(cfg, sim::Fidelity::PE);
    const auto s = model.run({pe_shape.m, pe_shape.n, pe_shape.k, pe_ops.x.data(), pe_shape.k, pe_ops.w.data(),
                              pe_shape.n, pe_y.data(), pe_shape.n, false});
    const double pe_cycles = static_cast<double>(s.report.cycles + 1) * cfg.rows * cfg.cols;
    out["pe"][std::string(arch::to_string(df)) + "_pe_cycles_per_s"] = pe_cycles / s.host_seconds;
    if (!o.json)
      fmt::print("  {}: {:.3g} PE-cycles/s ({} cycles in {:.2f} s)\n", arch::to_string(df), pe_cycles / s.host_seconds,
                 s.report.cycles + 1, s.host_seconds);
  }

  if (!o.skip_kernels) bench_kernels(out, o.json);
  bench_injection(out, o.json);
  bench_abft(out, o.json);
  if (o.eval_paragraphs > 0) bench_eval(out, o.json, o.eval_paragraphs);
  run_hf_benches(out, o);

  // Timing-error model: checked accumulates per second on one core (target >= 2e8).
  const double checks = arch::timing_checks_per_second();
  const double scalar = arch::timing_accumulates_per_second();
  out["timing"]["batch_checks_per_s"] = checks;
  out["timing"]["scalar_accumulates_per_s"] = scalar;
  if (!o.json)
    fmt::print("\nTiming-error model, one core: {:.3g} checked accumulates/s (batch), {:.3g}/s (scalar)\n", checks, scalar);

  // DRAM timing model: requests per second on one core, streaming and random reads, every preset.
  if (!o.json)
    fmt::print("\nDRAM timing model, one core (requests/s, median over 4 stack depths; target >= 1e7), 2^21 one-burst "
               "reads per pattern\n");
  for (const memory::dram::DramBenchFigure& f : memory::dram::dram_bench()) {
    out["dram"][f.preset][f.pattern + "_requests_per_s"] = f.requests_per_second;
    out["dram"][f.preset][f.pattern + "_requests_per_s_range"] = {f.slowest, f.fastest};
    out["dram"][f.preset][f.pattern + "_simulated_gbps"] = f.simulated_gbps;
    if (!o.json)
      fmt::print("  {:<12} {:<6} {:.3g} requests/s ({:.3g}-{:.3g} over 4 stack depths; simulated {:.1f} GB/s, row hits "
                 "{:.0f} %)\n",
                 f.preset, f.pattern, f.requests_per_second, f.slowest, f.fastest, f.simulated_gbps,
                 100.0 * f.row_hit_rate);
  }
  if (!o.skip_topology) bench_topology(out, o.json);
  if (o.json) fmt::print("{}\n", out.dump(2));
}

}  // namespace

void add_bench_command(CLI::App& app) {
  auto opts = std::make_shared<BenchOptions>();
  CLI::App* cmd = app.add_subcommand("bench", "Measure simulation speed (fold-level MAC/s, PE-level PE-cycles/s)");
  cmd->add_option("--fold-size", opts->fold_size, "fold-level GEMM size (size^3)")->capture_default_str();
  cmd->add_option("--fold-array", opts->fold_array, "fold-level array size")->capture_default_str();
  cmd->add_option("--pe-size", opts->pe_size, "PE-level GEMM size (size^3)")->capture_default_str();
  cmd->add_option("--pe-array", opts->pe_array, "PE-level array size")->capture_default_str();
  cmd->add_option("--kernel", opts->kernel, "INT8 kernel")->capture_default_str();
  cmd->add_flag("--skip-kernels", opts->skip_kernels, "skip the per-kernel INT8 GEMM table");
  cmd->add_flag("--skip-numeric", opts->skip_numeric, "skip the floating-point PE fold-level figures");
  cmd->add_option("--eval-paragraphs", opts->eval_paragraphs, "paragraphs for the eval tokens/s figure (0 = skip)")
      ->capture_default_str();
  cmd->add_flag("--skip-topology", opts->skip_topology,
                "skip the topology --model llama-2-7b --seq 2048 wall times (scalesim and dram memory)");
  cmd->add_flag("--only-hf", opts->only_hf, "only the Hugging Face figures (synthetic GPT-2 tokens/s, --load-rss)");
  cmd->add_flag("--hf-full", opts->hf_full, "GPT-2-small (124M) and TinyLlama-1.1B (2.2 GB BF16) at their real sizes");
  cmd->add_flag("--load-rss", opts->load_rss,
                "peak RSS of a W8A8 load of a synthetic TinyLlama-shaped BF16 folder (child process) vs 1.5x INT8 + mmap");
  cmd->add_option("--load-rss-child", opts->load_rss_child, "internal: load DIR and print its peak RSS")->group("");
  cmd->add_flag("--json", opts->json, "print one JSON object on stdout");
  cmd->callback([opts] { run_bench(*opts); });
}

}  // namespace saffire::cli
