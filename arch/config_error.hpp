#pragma once
// ConfigError: invalid user input (config file, CLI value, CSV row). main() maps it to exit code 2.
#include <stdexcept>
#include <string>

namespace saffire {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace saffire
