#include "models/engine/gemm_id.hpp"

#include <array>
#include <stdexcept>

namespace saffire::models {

namespace {

constexpr std::array<std::string_view, kNumComponents> kComponentNames = {"q",  "k",    "v",  "o", "gate",
                                                                          "up", "down", "qk", "pv"};
constexpr std::array<std::string_view, 2> kStageNames = {"prefill", "decode"};

template <std::size_t N>
std::string joined(const std::array<std::string_view, N>& names) {
  std::string out;
  for (std::size_t i = 0; i < N; ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  return out;
}

}  // namespace

std::string_view to_string(Component c) { return kComponentNames.at(static_cast<std::size_t>(c)); }

std::string_view to_string(Stage s) { return kStageNames.at(static_cast<std::size_t>(s)); }

Component parse_component(std::string_view name) {
  for (std::size_t i = 0; i < kComponentNames.size(); ++i) {
    if (kComponentNames[i] == name) return static_cast<Component>(i);
  }
  throw std::invalid_argument("unknown GEMM component '" + std::string(name) +
                              "' (expected one of: " + joined(kComponentNames) + ")");
}

Stage parse_stage(std::string_view name) {
  for (std::size_t i = 0; i < kStageNames.size(); ++i) {
    if (kStageNames[i] == name) return static_cast<Stage>(i);
  }
  throw std::invalid_argument("unknown stage '" + std::string(name) + "' (expected one of: " + joined(kStageNames) +
                              ")");
}

std::string to_string(const GemmId& id) {
  // Built by appending only (GCC 12 reports a false -Wrestrict on "literal" + std::string).
  std::string out;
  out.reserve(48);
  out.append("L").append(std::to_string(id.layer));
  out.append(".").append(to_string(id.component));
  out.append(".").append(to_string(id.stage));
  out.append(".h").append(std::to_string(id.head));
  out.append(".p").append(std::to_string(id.pos_begin)).append("-").append(std::to_string(id.pos_end));
  out.append(".c").append(std::to_string(id.call_index));
  if (id.sequence != 0) out.append(".s").append(std::to_string(id.sequence));
  if (id.attempt != 0) out.append(".a").append(std::to_string(id.attempt));
  return out;
}

}  // namespace saffire::models
