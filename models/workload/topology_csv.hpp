#pragma once
// SCALE-Sim-style GEMM topology CSV: header "Layer,M,N,K" (spaces and a trailing comma allowed),
// then one GEMM per row. Y[M x N] = X[M x K] * W[K x N]. A file whose header is SCALE-Sim's convolution
// header holds convolutions instead, lowered to GEMMs as SCALE-Sim does (conv_topology.hpp).
#include <filesystem>
#include <string>
#include <vector>

#include "arch/gemm_shape.hpp"

namespace saffire::models {

struct TopologyLayer {
  std::string name;
  arch::GemmShape shape;
};

/// At most this many GEMMs per topology (depthwise layers expand to one per channel).
inline constexpr std::size_t kMaxTopologyLayers = 1'000'000;

/// Reads a topology file (GEMM or convolution format, told by the header); throws ConfigError naming the
/// file, line and field on malformed input.
std::vector<TopologyLayer> read_topology_csv(const std::filesystem::path& path);
/// Same, from text; `origin` names the source in error messages.
std::vector<TopologyLayer> parse_topology_csv(const std::string& text, const std::string& origin);
/// Writes layers back in the same format (with a trailing comma, as SCALE-Sim does).
std::string format_topology_csv(const std::vector<TopologyLayer>& layers);

}  // namespace saffire::models
