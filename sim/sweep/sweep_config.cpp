#include "sim/sweep/sweep_config.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "arch/checked_size.hpp"
#include "arch/config_error.hpp"
#include "arch/memory_budget.hpp"
#include "arch/toml_file.hpp"
#include "arch/toml_table_reader.hpp"

namespace saffire::sim {
namespace {

// A scalar as the command line spells it: shortest round-trip for floats, "" for true (a bare flag).
std::string scalar(const toml::node& n, const std::string& at) {
  if (const auto s = n.value_exact<std::string>()) return *s;
  if (const auto i = n.value_exact<std::int64_t>()) return std::to_string(*i);
  if (const auto d = n.value_exact<double>()) {
    if (!std::isfinite(*d)) throw ConfigError(at + ": expected a finite number");
    return fmt::format("{}", *d);
  }
  if (const auto b = n.value_exact<bool>()) {
    if (!*b) throw ConfigError(at + ": false is not an option value (leave the flag out)");
    return "";
  }
  throw ConfigError(at + ": expected a string, number or true");
}

// An axis [grid].<key>: a list, a {from, to, step} range or one value.
std::vector<std::string> axis_values(TomlTableReader& grid, const std::string& key) {
  const toml::node& n = *grid.node(key);
  const std::string at = grid.where(key);
  std::vector<std::string> values;
  if (const toml::array* a = n.as_array()) {
    for (const toml::node& e : *a) values.push_back(scalar(e, at));
  } else if (n.is_table()) {
    TomlTableReader& range = *grid.table(key);
    for (const char* k : {"from", "to", "step"}) (void)range.optional<double>(k);
    range.finish();  // first: a misspelt key ("stp") is why a required one is missing
    const double from = range.required<double>("from"), to = range.required<double>("to");
    const double step = range.required<double>("step");
    if (step == 0 || (to - from) * step < 0)
      throw ConfigError(range.where("step") + ": must be nonzero and go from 'from' towards 'to'");
    const double count = std::floor((to - from) / step + 1e-9) + 1;
    if (count > 100000) throw ConfigError(at + ": more than 100000 values");
    for (std::int64_t i = 0; i < static_cast<std::int64_t>(count); ++i)
      values.push_back(fmt::format("{}", std::round((from + static_cast<double>(i) * step) * 1e9) / 1e9));
  } else {
    values.push_back(scalar(n, at));
  }
  if (values.empty()) throw ConfigError(at + ": an axis needs at least one value");
  return values;
}

std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
  std::uint64_t z = h + 0x9E3779B97F4A7C15ull + v;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace

std::vector<std::string> SweepPoint::argv(const std::string& command) const {
  std::vector<std::string> out{command};
  for (const auto& [flag, value] : options) {
    out.push_back("--" + flag);
    if (!value.empty()) out.push_back(value);
  }
  return out;
}

std::string point_key(const std::string& command, const OptionList& options) {
  OptionList sorted = options;
  std::sort(sorted.begin(), sorted.end());
  std::string canon = command;
  for (const auto& [k, v] : sorted) canon += "\n--" + k + "=" + v;
  std::uint64_t h = 0x5A55EEull;
  for (unsigned char c : canon) h = mix(h, c);
  return fmt::format("{:016x}", h);
}

std::int64_t SweepConfig::point_count() const {
  std::int64_t total = 1;
  std::string axes;
  for (const auto& axis : grid) {
    total = arch::checked_mul(total, static_cast<std::int64_t>(axis.second.size()), "sweep points (the product of the [grid] axis lengths)");
    axes += (axes.empty() ? "" : " x ") + axis.first + " " + std::to_string(axis.second.size());
  }
  if (total > kMaxPoints)
    throw ConfigError("sweep: the [grid] has " + std::to_string(total) + " points (" + axes + "), more than " +
                      std::to_string(kMaxPoints) + " (each point is one run)");
  return total;
}

std::vector<SweepPoint> SweepConfig::points() const {
  const auto total = static_cast<std::size_t>(point_count());
  // Each point holds its option list (fixed and grid values) and key: a few hundred bytes.
  std::int64_t per_point = 256;
  for (const auto& [flag, value] : fixed) per_point += static_cast<std::int64_t>(2 * (flag.size() + value.size()) + 128);
  for (const auto& axis : grid) per_point += static_cast<std::int64_t>(4 * axis.first.size() + 256);
  arch::check_memory(arch::checked_mul(static_cast<std::int64_t>(total), per_point, "sweep point list (bytes)"),
                     "sweep: the list of points");
  std::vector<SweepPoint> all;
  all.reserve(total);
  for (std::size_t i = 0; i < total; ++i) {
    SweepPoint p;
    p.index = i;
    p.options = fixed;
    std::size_t rest = i;
    std::vector<std::size_t> digit(grid.size());
    for (std::size_t a = grid.size(); a-- > 0;) {
      digit[a] = rest % grid[a].second.size();
      rest /= grid[a].second.size();
    }
    for (std::size_t a = 0; a < grid.size(); ++a) {
      p.coordinates.emplace_back(grid[a].first, grid[a].second[digit[a]]);
      p.options.emplace_back(grid[a].first, grid[a].second[digit[a]]);
    }
    p.key = point_key(command, p.options);
    all.push_back(std::move(p));
  }
  return all;
}

SweepConfig parse_sweep_config(const std::string& toml_text, const std::string& origin,
                               const std::filesystem::path& base_dir) {
  const toml::table doc = parse_toml(toml_text, origin);
  TomlTableReader root(doc, origin, "");
  SweepConfig cfg;
  cfg.out = base_dir / "sweep.h5";
  if (TomlTableReader* s = root.table("sweep")) {
    if (const auto command = s->optional<std::string>("command")) {
      if (command->empty() || *command == "sweep")
        throw ConfigError(s->where("command") + ": expected a saffire subcommand other than sweep");
      cfg.command = *command;
    }
    if (const auto out = s->optional<std::string>("out")) cfg.out = base_dir / *out;
    cfg.jobs = s->get_or("jobs", cfg.jobs, in_range(0, 4096));
  }
  // [fixed] and [grid] are keyed by option flags: every key is read.
  std::set<std::string> seen;
  const auto check_flag = [&](const std::string& flag, const std::string& at) {
    if (flag.empty() || flag[0] == '-') throw ConfigError(at + ": write the flag without leading dashes");
    if (flag == "json") throw ConfigError(at + ": --json is always passed");
    if (!seen.insert(flag).second) throw ConfigError(at + ": given in both [fixed] and [grid]");
  };
  if (TomlTableReader* f = root.table("fixed")) {
    for (const std::string& key : f->keys()) {
      const toml::node& n = *f->node(key);
      const std::string at = f->where(key);
      check_flag(key, at);
      if (const auto b = n.value_exact<bool>(); b && !*b) continue;  // false: the flag is left out
      cfg.fixed.emplace_back(key, scalar(n, at));
    }
  }
  if (TomlTableReader* g = root.table("grid")) {
    for (const std::string& key : g->keys()) {
      check_flag(key, g->where(key));
      cfg.grid.emplace_back(key, axis_values(*g, key));
    }
  }
  root.finish();  // the three tables are the whole file
  try {
    (void)cfg.point_count();
  } catch (const ConfigError& e) {
    throw ConfigError(origin + ": " + e.what());
  }
  return cfg;
}

SweepConfig load_sweep_config(const std::filesystem::path& path) {
  return parse_sweep_config(read_text_file(path, "sweep config"), path.string(), path.parent_path());
}

}  // namespace saffire::sim
