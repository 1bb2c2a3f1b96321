#include "sim/cli/abft_options.hpp"
#include "sim/cli/option_checks.hpp"

#include "arch/config_error.hpp"

namespace saffire::cli {

void AbftOptions::add_to(CLI::App& cmd) {
  std::string names;
  for (abft::Scheme s : abft::all_schemes()) names += std::string(names.empty() ? "" : ", ") + std::string(s.name());
  cmd.add_option("--abft", m_scheme, "detection scheme: " + names);
  cmd.add_option("--abft-config", m_config, "TOML file with an [abft] table (see experiments/configs/abft.toml)");
  cmd.add_option("--abft-scope", m_scope, "decide and recompute per gemm, per output-column tile, or per fold")
      ->check(CLI::IsMember({"gemm", "tile", "fold"}));
  cmd.add_option("--recover-at", m_recover_at, "recompute at nominal voltage, or same-voltage (with retries)")
      ->check(CLI::IsMember({"nominal", "same-voltage"}));
  cmd.add_option("--max-retries", m_max_retries, "same-voltage recomputations before falling back to nominal")
      ->check(CLI::Range(0, 1000));
  cmd.add_option("--remap-after", m_remap_after,
                 "permanent faults: remap a PE column repaired in this many consecutive checked GEMMs (0: never)");
  cmd.add_option("--remap", m_remap, "where a remapped column's work goes: spare-column or extra-fold");
  cmd.add_option("--checksums-from", m_checksums_from,
                 "where the checksums' operands come from: sram (the scratchpads, as the PEs read them; default) or "
                 "before-sram (precomputed from the true operands): only the latter sees SRAM errors")
      ->check(CLI::IsMember({"sram", "before-sram"}));
  cmd.add_option("--node", m_node, "technology node for energy: 45, 28, 22 or 14 (nm)")
      ->capture_default_str()
      ->check(CLI::IsMember({45, 28, 22, 14}));
  cmd.add_option("--tech", m_tech, "TOML technology table for energy (instead of --node)");
}

abft::AbftConfig AbftOptions::resolve() const {
  abft::AbftConfig cfg = m_config.empty() ? abft::AbftConfig{} : abft::load_abft_config(m_config);
  // The flags go through the same parser as the file, so both give the same errors.
  std::string flags = "[abft]\n";
  if (m_scheme) flags += "scheme = \"" + *m_scheme + "\"\n";
  if (m_scope) flags += "scope = \"" + *m_scope + "\"\n";
  if (m_recover_at) flags += "recover_at = \"" + *m_recover_at + "\"\n";
  if (m_max_retries) flags += "max_retries = " + std::to_string(*m_max_retries) + "\n";
  if (m_remap_after) flags += "remap_after = " + std::to_string(*m_remap_after) + "\n";
  if (m_remap) flags += "remap = \"" + *m_remap + "\"\n";
  if (m_checksums_from) flags += "checksums_from = \"" + *m_checksums_from + "\"\n";
  const abft::AbftConfig over = abft::parse_abft_config(flags, "command line");
  if (m_scheme) cfg.scheme = over.scheme;
  if (m_scope) cfg.scope = over.scope;
  if (m_recover_at) cfg.recover_at = over.recover_at;
  if (m_max_retries) cfg.max_retries = over.max_retries;
  if (m_remap_after) cfg.remap_after = over.remap_after;
  if (m_remap) cfg.remap_to = over.remap_to;
  if (m_checksums_from) cfg.checksums_from = over.checksums_from;
  cfg.validate();
  return cfg;
}

arch::TechTable AbftOptions::tech() const {
  return m_tech.empty() ? arch::TechTable::for_node(m_node) : arch::load_tech_table(m_tech);
}

}  // namespace saffire::cli
