#pragma once
// GemmId: the identity every GEMM of a model run carries. Fault targeting, ABFT decisions and
// traces key on it, so it must be the same on every engine.
#include <cstdint>
#include <string>
#include <string_view>

namespace saffire::models {

/// The nine quantized GEMM kinds of a LLaMA/OPT block (OPT's fc1/fc2 map to Up/Down).
enum class Component : std::uint8_t { Q, K, V, O, Gate, Up, Down, QK, PV };
inline constexpr int kNumComponents = 9;

enum class Stage : std::uint8_t { Prefill, Decode };

std::string_view to_string(Component c);  // "q","k","v","o","gate","up","down","qk","pv"
std::string_view to_string(Stage s);      // "prefill","decode"
/// Parses the names above; throws std::invalid_argument listing the valid names.
Component parse_component(std::string_view name);
Stage parse_stage(std::string_view name);

struct GemmId {
  std::int32_t layer = 0;
  Component component = Component::Q;
  Stage stage = Stage::Prefill;
  std::int32_t head = -1;       // attention products: the query head; -1 for projections
  std::int32_t pos_begin = 0;   // token positions covered by the M rows: [pos_begin, pos_end)
  std::int32_t pos_end = 0;
  std::int64_t call_index = 0;  // running index of GEMM calls within one model run (sequence), from 0
  std::int32_t sequence = 0;    // which sequence (paragraph / prompt) of the run
  std::int32_t attempt = 0;     // ABFT recomputation of the same GEMM: 0 = the first execution
};

/// "L0.q.prefill.h-1.p0-5.c3" (".a1" appended for a recomputation): readable, unique within a run.
std::string to_string(const GemmId& id);

}  // namespace saffire::models
