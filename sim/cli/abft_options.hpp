#pragma once
// Command-line options of ABFT on a fault campaign (eval): --abft SCHEME, --abft-config FILE (an
// [abft] table; the flags override it), --abft-scope gemm|tile, --recover-at nominal|same-voltage,
// --max-retries N, and the technology for energy: --node 45|28|22|14, --tech FILE.
#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "abft/abft_config.hpp"
#include "arch/tech/tech_table.hpp"

namespace saffire::cli {

class AbftOptions {
 public:
  void add_to(CLI::App& cmd);
  /// True when --abft or --abft-config was given.
  bool enabled() const { return m_scheme.has_value() || !m_config.empty(); }
  /// The config file with the flags applied; throws ConfigError on bad values.
  abft::AbftConfig resolve() const;
  /// The technology table for energy (--tech, else the --node default).
  arch::TechTable tech() const;

 private:
  std::optional<std::string> m_scheme, m_scope, m_recover_at;
  std::optional<int> m_max_retries;
  std::optional<int> m_remap_after;
  std::optional<std::string> m_remap;
  std::optional<std::string> m_checksums_from;
  std::string m_config;
  int m_node = 14;
  std::string m_tech;
};

}  // namespace saffire::cli
