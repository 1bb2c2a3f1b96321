#pragma once
// The one exception type of saffire_traces; its message always names the file. A trace the user names
// that cannot be read or written is bad input, so TraceError is a saffire::ConfigError (the CLI exits 2):
// the one bad-input type of every library (arch/config_error.hpp is header-only, so traces links nothing).
#include <string>

#include "arch/config_error.hpp"

namespace saffire::traces {

class TraceError : public saffire::ConfigError {
 public:
  using saffire::ConfigError::ConfigError;
};

}  // namespace saffire::traces
