#pragma once
// Scheme: which detection scheme guards the array. A scheme is named by one row of the policy table
// in detection_factory.cpp ("none", "classic", "classic-correct", "approxabft", "statistical", "dmr",
// "thundervolt"); there is no enum, so adding a scheme is adding its file in impl/ and its row
// (abft/README.md). What a scheme decides, needs and costs is asked of its policy
// (make_detection_policy), never switched on here.
#include <string_view>
#include <vector>

namespace saffire::abft {

class Scheme {
 public:
  /// "none".
  Scheme() = default;
  /// The scheme of that name (case-insensitive); throws ConfigError naming `where` and the valid names.
  static Scheme parse(std::string_view name, std::string_view where = "scheme");
  std::string_view name() const { return m_name; }
  bool operator==(const Scheme&) const = default;  // by name

 private:
  friend const std::vector<Scheme>& all_schemes();
  explicit Scheme(std::string_view name) : m_name(name) {}
  std::string_view m_name = "none";  // a row name of the table (static storage)
};

/// Every scheme, in table order (the order reports list them).
const std::vector<Scheme>& all_schemes();
inline std::string_view to_string(Scheme s) { return s.name(); }

}  // namespace saffire::abft
