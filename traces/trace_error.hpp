#pragma once
// The one exception type of saffire_traces; its message always names the file.
#include <stdexcept>
#include <string>

namespace saffire::traces {

class TraceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace saffire::traces
