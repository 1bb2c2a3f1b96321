#include "models/workload/topology_csv.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

#include "arch/config_error.hpp"
#include "arch/toml_file.hpp"
#include "models/workload/conv_topology.hpp"

namespace saffire::models {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream ss(line);
  std::string field;
  while (std::getline(ss, field, ',')) fields.push_back(trim(field));
  // One trailing comma is allowed (SCALE-Sim writes one): it leaves an empty last field.
  if (!line.empty() && trim(line).back() == ',') fields.push_back("");
  if (!fields.empty() && fields.back().empty()) fields.pop_back();
  return fields;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

std::vector<TopologyLayer> parse_topology_csv(const std::string& text, const std::string& origin) {
  std::vector<TopologyLayer> layers;
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  bool header_seen = false, conv = false;
  static const char* kColumns[] = {"Layer", "M", "N", "K"};
  while (std::getline(in, line)) {
    ++line_no;
    if (trim(line).empty()) continue;
    const auto fields = split_fields(line);
    const std::string at = origin + ":" + std::to_string(line_no);
    if (!header_seen) {
      conv = is_conv_header(fields);
      if (!conv && (fields.size() != 4 || lower(fields[0]) != "layer" || lower(fields[1]) != "m" ||
                    lower(fields[2]) != "n" || lower(fields[3]) != "k"))
        throw ConfigError(at + ": expected the header 'Layer,M,N,K' (GEMMs) or 'Layer name, IFMAP Height, IFMAP "
                          "Width, Filter Height, Filter Width, Channels, Num Filter, Strides' (convolutions), got '" +
                          trim(line) + "'");
      header_seen = true;
      continue;
    }
    if (conv) {
      for (TopologyLayer& l : lower_conv_layer(parse_conv_row(fields, at), at)) layers.push_back(std::move(l));
      if (layers.size() > kMaxTopologyLayers)
        throw ConfigError(at + ": more than " + std::to_string(kMaxTopologyLayers) +
                          " GEMMs in the topology (a depthwise layer is one GEMM per channel)");
      continue;
    }
    if (fields.size() != 4)
      throw ConfigError(at + ": expected 4 fields (Layer,M,N,K), got " + std::to_string(fields.size()));
    TopologyLayer layer;
    layer.name = fields[0];
    if (layer.name.empty()) throw ConfigError(at + ": field Layer: empty layer name");
    std::int64_t* dims[] = {&layer.shape.m, &layer.shape.n, &layer.shape.k};
    for (int i = 0; i < 3; ++i) {
      const std::string& f = fields[static_cast<std::size_t>(i + 1)];
      std::int64_t v = 0;
      const auto [ptr, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
      if (ec != std::errc() || ptr != f.data() + f.size() || f.empty())
        throw ConfigError(at + ": field " + kColumns[i + 1] + ": expected a positive integer, got '" + f + "'");
      if (v < 1)
        throw ConfigError(at + ": field " + kColumns[i + 1] + ": expected a positive integer, got " + std::to_string(v));
      *dims[i] = v;
    }
    layers.push_back(std::move(layer));
  }
  if (!header_seen)
    throw ConfigError(origin + ": empty topology file (expected the header 'Layer,M,N,K' or SCALE-Sim's convolution header)");
  if (layers.empty()) throw ConfigError(origin + ": no layers after the header");
  return layers;
}

std::vector<TopologyLayer> read_topology_csv(const std::filesystem::path& path) {
  return parse_topology_csv(read_text_file(path, "topology file"), path.string());
}

std::string format_topology_csv(const std::vector<TopologyLayer>& layers) {
  std::ostringstream out;
  out << "Layer,M,N,K,\n";
  for (const auto& l : layers) out << l.name << "," << l.shape.m << "," << l.shape.n << "," << l.shape.k << ",\n";
  return out.str();
}

}  // namespace saffire::models
