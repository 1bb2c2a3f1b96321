#pragma once
// `saffire bench`'s Hugging Face figures, on synthetic folders it writes to a temporary directory and deletes:
// W8A8 eval tokens/s of a GPT-2-small-shaped model per engine, and the peak resident memory of loading a
// TinyLlama-1.1B-shaped BF16 model for W8A8 (in a child process: its own peak, nothing of the bench's) against
// 1.5x its INT8 weights plus the mapped file. Small shapes unless `full` (the real sizes).
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "models/engine/gemm_engine.hpp"

namespace saffire::cli {

/// The bench's engine `name` on one thread, or nullptr after printing why it is skipped (not built, no GPU); also
/// used by cmd_bench's stories260K eval figure.
std::unique_ptr<models::GemmEngine> make_bench_engine(const std::string& name, bool json);

/// W8A8 prefill tokens/s (all logits, as eval computes them) per engine, one thread.
void bench_hf_eval(nlohmann::json& out, bool json, bool full);
/// Writes the TinyLlama-shaped folder, runs `saffire bench --load-rss-child DIR` and reports its peak RSS.
void bench_hf_load_rss(nlohmann::json& out, bool json, bool full);
/// The child: loads DIR with mapped projections, quantizes it for W8A8 (and runs one token), prints one JSON
/// object (peak RSS, INT8 bytes, resident FP32 bytes, mapped bytes) on stdout.
void hf_load_rss_child(const std::string& dir);

}  // namespace saffire::cli
