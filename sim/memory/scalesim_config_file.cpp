#include "sim/memory/scalesim_config_file.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <sstream>
#include <vector>

#include "arch/config_error.hpp"
#include "arch/toml_file.hpp"

namespace saffire::memory {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

struct Entry {
  std::string value;
  std::string where;  // "file:line: Key"
};

// The keys SCALE-Sim v2 reads, per section (lower case), and whether it requires them.
const std::map<std::string, std::vector<std::pair<std::string, bool>>>& known_keys() {
  static const std::map<std::string, std::vector<std::pair<std::string, bool>>> keys = {
      {"general", {{"run_name", true}}},
      {"architecture_presets",
       {{"arrayheight", true}, {"arraywidth", true}, {"ifmapsramszkb", true}, {"filtersramszkb", true},
        {"ofmapsramszkb", true}, {"ifmapoffset", true}, {"filteroffset", true}, {"ofmapoffset", true},
        {"dataflow", true}, {"bandwidth", false}, {"memorybanks", false}}},
      {"run_presets", {{"interfacebandwidth", true}}},
      {"network_presets", {{"topologycsvloc", false}}},
  };
  return keys;
}

std::int64_t integer(const Entry& e, std::int64_t lo) {
  std::int64_t v = 0;
  const std::string s = trim(e.value);
  const auto res = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || res.ec != std::errc() || res.ptr != s.data() + s.size())
    throw ConfigError(e.where + ": expected an integer, got \"" + e.value + "\"");
  if (v < lo) throw ConfigError(e.where + ": expected an integer >= " + std::to_string(lo) + ", got " + s);
  return v;
}

}  // namespace

ScalesimConfigFile parse_scalesim_config(const std::string& text, const std::string& origin) {
  std::map<std::string, Entry> entries;  // "section.key"
  std::istringstream in(text);
  std::string raw, section;
  for (int line_no = 1; std::getline(in, raw); ++line_no) {
    const std::string line = trim(raw);
    const std::string at = origin + ":" + std::to_string(line_no);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']') throw ConfigError(at + ": expected a section header [name], got \"" + line + "\"");
      section = lower(trim(line.substr(1, line.size() - 2)));
      if (!known_keys().count(section))
        throw ConfigError(at + ": unknown section [" + section +
                          "] (expected general, architecture_presets, run_presets or network_presets)");
      continue;
    }
    const auto sep = line.find_first_of(":=");
    if (sep == std::string::npos) throw ConfigError(at + ": expected 'Key: value' or 'Key = value', got \"" + line + "\"");
    if (section.empty()) throw ConfigError(at + ": a key before any [section]");
    const std::string key = trim(line.substr(0, sep));
    const auto& keys = known_keys().at(section);
    if (std::none_of(keys.begin(), keys.end(), [&](const auto& k) { return k.first == lower(key); })) {
      std::string list;
      for (const auto& k : keys) list += (list.empty() ? "" : ", ") + k.first;
      throw ConfigError(at + ": " + key + ": unknown key in [" + section + "] (expected one of " + list + ")");
    }
    entries[section + "." + lower(key)] = {trim(line.substr(sep + 1)), at + ": " + key};
  }
  for (const auto& [sec, keys] : known_keys())
    for (const auto& [key, required] : keys)
      if (required && !entries.count(sec + "." + key) && sec != "network_presets")
        throw ConfigError(origin + ": [" + sec + "] " + key + ": required key missing");

  ScalesimConfigFile f;
  const Entry& height = entries.at("architecture_presets.arrayheight");
  f.rows = static_cast<int>(std::min<std::int64_t>(integer(height, 1), 1 << 20));
  f.cols = static_cast<int>(std::min<std::int64_t>(integer(entries.at("architecture_presets.arraywidth"), 1), 1 << 20));
  f.where_array = height.where;
  const Entry& df = entries.at("architecture_presets.dataflow");
  const std::string dataflow = lower(df.value);
  if (dataflow == "is")
    throw ConfigError(df.where + ": the input-stationary dataflow is not modelled (expected ws or os)");
  f.dataflow = arch::parse_dataflow(dataflow, df.where);
  for (const char* key : {"ifmapoffset", "filteroffset", "ofmapoffset"})
    integer(entries.at(std::string("architecture_presets.") + key), 0);  // addresses only: read, checked, unused

  MemoryConfig& m = f.memory;
  m.model = "scalesim";
  auto size = [&](const char* key, const char* ours, std::int64_t& out) {
    const Entry& e = entries.at(std::string("architecture_presets.") + key);
    out = integer(e, 1);
    m.origin[ours] = e.where;
  };
  size("ifmapsramszkb", "ifmap_sram_kb", m.ifmap_sram_kb);
  size("filtersramszkb", "filter_sram_kb", m.filter_sram_kb);
  size("ofmapsramszkb", "ofmap_sram_kb", m.ofmap_sram_kb);
  const Entry& mode = entries.at("run_presets.interfacebandwidth");
  if (mode.value != "USER" && mode.value != "CALC")
    throw ConfigError(mode.where + ": expected USER or CALC, got \"" + mode.value + "\"");
  m.calc_bandwidth = mode.value == "CALC";
  m.origin["calc_bandwidth"] = mode.where;
  if (const auto it = entries.find("architecture_presets.bandwidth"); it != entries.end()) {
    // A list "10,10,10" in SCALE-Sim; v2 uses its first value for every operand.
    Entry first = it->second;
    first.value = first.value.substr(0, first.value.find(','));
    m.bandwidth = integer(first, 1);
    m.origin["bandwidth"] = first.where;
  } else if (!m.calc_bandwidth) {
    throw ConfigError(mode.where + ": USER needs [architecture_presets] Bandwidth");
  }
  if (const auto it = entries.find("architecture_presets.memorybanks"); it != entries.end()) {
    m.banks = static_cast<int>(std::min<std::int64_t>(integer(it->second, 1), 1 << 20));
    m.origin["banks"] = it->second.where;
  }
  m.validate();
  return f;
}

ScalesimConfigFile load_scalesim_config(const std::filesystem::path& path) {
  return parse_scalesim_config(read_text_file(path, "SCALE-Sim config"), path.string());
}

}  // namespace saffire::memory
