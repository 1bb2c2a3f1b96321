#pragma once
// Small helpers shared by the test executables.
#include <exception>
#include <string>

namespace saffire::test {

/// Runs f and returns the message of the exception it throws ("" when it throws nothing). Used
/// instead of combined Catch2 matchers (`Contains(a) && Contains(b)`), which ASan flags as
/// stack-use-after-scope inside Catch2 v2 itself.
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace saffire::test
