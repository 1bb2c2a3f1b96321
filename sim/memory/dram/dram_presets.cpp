#include "sim/memory/dram/dram_presets.hpp"

#include <algorithm>
#include <cctype>

#include "arch/config_error.hpp"

namespace saffire::memory::dram {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

const std::vector<DramSpec>& presets() {
  static const std::vector<DramSpec> specs = [] {
    std::vector<DramSpec> out;
    for (const PresetText& p : preset_texts()) out.push_back(parse_dram_spec(p.text, p.file));
    return out;
  }();
  return specs;
}

}  // namespace

std::vector<std::string> dram_preset_names() {
  std::vector<std::string> names;
  for (const DramSpec& s : presets()) names.push_back(s.name);
  return names;
}

DramSpec dram_preset(std::string_view name) {
  for (const DramSpec& s : presets())
    if (lower(s.name) == lower(name)) return s;
  std::string valid;
  for (const DramSpec& s : presets()) valid += (valid.empty() ? "" : ", ") + s.name;
  throw ConfigError("unknown DRAM preset '" + std::string(name) + "' (expected one of: " + valid + ")");
}

}  // namespace saffire::memory::dram
