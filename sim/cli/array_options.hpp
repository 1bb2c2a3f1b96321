#pragma once
// Command-line options shared by the commands that take an array: --config FILE plus one override
// per [arch] field. Overrides win over the file; the file wins over the defaults.
#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "arch/array_config.hpp"

namespace saffire::cli {

class ArrayOptions {
 public:
  /// Registers --config, --size, --rows, --cols, --dataflow, --clock-ghz, --os-drain on `cmd`.
  void add_to(CLI::App& cmd);
  /// The config file (if any) with the command-line overrides applied, validated.
  arch::ArrayConfig resolve() const;
  /// The --config file, "" when none was given.
  const std::string& config_path() const { return m_config_path; }

 private:
  std::string m_config_path;
  std::optional<int> m_size, m_rows, m_cols;
  std::optional<std::string> m_dataflow;
  std::optional<double> m_clock_ghz;
  bool m_os_drain = false;
};

}  // namespace saffire::cli
