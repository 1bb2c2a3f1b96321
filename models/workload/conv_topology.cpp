#include "models/workload/conv_topology.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "arch/checked_size.hpp"
#include "arch/config_error.hpp"

namespace saffire::models {
namespace {

// The header's column names, lower case without spaces.
std::string squeeze(const std::string& s) {
  std::string out;
  for (const unsigned char c : s)
    if (!std::isspace(c)) out += static_cast<char>(std::tolower(c));
  return out;
}

const char* const kColumns[] = {"Layer name",   "IFMAP Height", "IFMAP Width", "Filter Height", "Filter Width",
                                "Channels",     "Num Filter",   "Stride height", "Stride width"};

std::int64_t positive_field(const std::string& f, const char* column, const std::string& where) {
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
  if (f.empty() || ec != std::errc() || ptr != f.data() + f.size())
    throw ConfigError(where + ": field " + column + ": expected a positive integer, got '" + f + "'");
  if (v < 1) throw ConfigError(where + ": field " + column + ": expected a positive integer, got " + std::to_string(v));
  return v;
}

}  // namespace

bool is_conv_header(const std::vector<std::string>& fields) {
  static const std::vector<std::string> eight = {"layername", "ifmapheight", "ifmapwidth", "filterheight",
                                                 "filterwidth", "channels", "numfilter", "strides"};
  if (fields.size() != 8 && fields.size() != 9) return false;
  for (std::size_t i = 0; i < 7; ++i)
    if (squeeze(fields[i]) != eight[i]) return false;
  return fields.size() == 8 ? squeeze(fields[7]) == "strides"
                            : squeeze(fields[7]) == "strideheight" && squeeze(fields[8]) == "stridewidth";
}

ConvLayer parse_conv_row(const std::vector<std::string>& fields, const std::string& where) {
  if (fields.size() != 8 && fields.size() != 9)
    throw ConfigError(where + ": expected 8 fields (Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter "
                      "Width, Channels, Num Filter, Strides) or 9 (two strides), got " +
                      std::to_string(fields.size()));
  ConvLayer c;
  c.name = fields[0];
  if (c.name.empty()) throw ConfigError(where + ": field Layer name: empty layer name");
  std::int64_t* values[] = {&c.ifmap_h, &c.ifmap_w, &c.filter_h, &c.filter_w, &c.channels, &c.filters, &c.stride_h};
  for (std::size_t i = 0; i < 7; ++i) *values[i] = positive_field(fields[i + 1], kColumns[i + 1], where);
  c.stride_w = fields.size() == 9 ? positive_field(fields[8], kColumns[8], where) : c.stride_h;
  return c;
}

std::vector<TopologyLayer> lower_conv_layer(const ConvLayer& c, const std::string& where) {
  if (c.filter_h > c.ifmap_h)
    throw ConfigError(where + ": field Filter Height: " + std::to_string(c.filter_h) + " is larger than IFMAP Height " +
                      std::to_string(c.ifmap_h) + " (SCALE-Sim does not pad)");
  if (c.filter_w > c.ifmap_w)
    throw ConfigError(where + ": field Filter Width: " + std::to_string(c.filter_w) + " is larger than IFMAP Width " +
                      std::to_string(c.ifmap_w) + " (SCALE-Sim does not pad)");
  const std::int64_t out_h = (c.ifmap_h - c.filter_h + c.stride_h - 1) / c.stride_h + 1;
  const std::int64_t out_w = (c.ifmap_w - c.filter_w + c.stride_w - 1) / c.stride_w + 1;
  const bool depthwise = c.name.find("DP") != std::string::npos;
  const std::string what = where + ": " + c.name;
  arch::GemmShape g;
  g.m = arch::checked_mul(out_h, out_w, what + ": output pixels (M)");
  g.n = c.filters;
  g.k = arch::checked_mul(c.filter_h, c.filter_w, depthwise ? 1 : c.channels, what + ": window (K)");
  if (!depthwise) return {{c.name, g}};
  if (static_cast<std::uint64_t>(c.channels) > kMaxTopologyLayers)
    throw ConfigError(where + ": field Channels: a depthwise layer is one GEMM per channel, at most " +
                      std::to_string(kMaxTopologyLayers) + ", got " + std::to_string(c.channels));
  std::vector<TopologyLayer> out;
  for (std::int64_t ch = 0; ch < c.channels; ++ch) out.push_back({c.name + "Channel_" + std::to_string(ch), g});
  return out;
}

}  // namespace saffire::models
