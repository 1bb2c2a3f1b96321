#pragma once
// SCALE-Sim's convolution topology (its conv_nets/*.csv): one convolution per row,
//   Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,
// (or Stride height, Stride width as the last two columns), lowered to GEMMs as SCALE-Sim v2 lowers
// them (read from its topology_utils and operand_matrix, not copied): no padding; the output is
// E_h x E_w = (ceil((H - R) / S_h) + 1) x (ceil((W - S) / S_w) + 1) pixels (a window that runs past the edge
// still counts, its missing pixels are zeros); im2col gives
//   M = E_h * E_w (output pixels), N = Num Filter, K = R * S * Channels (the window).
// A layer whose name contains "DP" is depthwise (SCALE-Sim's rule): one GEMM per channel, named
// "<name>Channel_<c>", each with Channels = 1.
#include <cstdint>
#include <string>
#include <vector>

#include "models/workload/topology_csv.hpp"

namespace saffire::models {

struct ConvLayer {
  std::string name;
  std::int64_t ifmap_h = 1, ifmap_w = 1;
  std::int64_t filter_h = 1, filter_w = 1;
  std::int64_t channels = 1, filters = 1;
  std::int64_t stride_h = 1, stride_w = 1;
};

/// The GEMMs of one convolution (one, or Channels for a depthwise layer). Throws ConfigError naming
/// `where` when the filter is larger than the input or a size overflows.
std::vector<TopologyLayer> lower_conv_layer(const ConvLayer& conv, const std::string& where);

/// True when the header fields are SCALE-Sim's convolution columns (case and spaces ignored).
bool is_conv_header(const std::vector<std::string>& fields);
/// One convolution row (8 fields: one stride for both directions, or 9: height and width strides).
ConvLayer parse_conv_row(const std::vector<std::string>& fields, const std::string& where);

}  // namespace saffire::models
