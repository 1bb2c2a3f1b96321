// The one table of detection schemes: one row per scheme, its name (the [abft] scheme key, --abft) and
// the constructor its file in impl/ defines. Scheme names and their order come from this table alone.
#include <cctype>
#include <stdexcept>
#include <string>

#include "abft/detect/detection_policy.hpp"
#include "arch/config_error.hpp"

namespace saffire::abft {

// Defined in impl/<name>.cpp.
std::unique_ptr<DetectionPolicy> make_none_policy(const AbftConfig& cfg);
std::unique_ptr<DetectionPolicy> make_classic_policy(const AbftConfig& cfg);
std::unique_ptr<DetectionPolicy> make_classic_correct_policy(const AbftConfig& cfg);
std::unique_ptr<DetectionPolicy> make_approxabft_policy(const AbftConfig& cfg);
std::unique_ptr<DetectionPolicy> make_statistical_policy(const AbftConfig& cfg);
std::unique_ptr<DetectionPolicy> make_dmr_policy(const AbftConfig& cfg);
std::unique_ptr<DetectionPolicy> make_thundervolt_policy(const AbftConfig& cfg);

namespace {

struct SchemeRow {
  std::string_view name;
  std::unique_ptr<DetectionPolicy> (*make)(const AbftConfig& cfg);
};

constexpr SchemeRow kSchemeTable[] = {
    {"none", make_none_policy},
    {"classic", make_classic_policy},
    {"classic-correct", make_classic_correct_policy},
    {"approxabft", make_approxabft_policy},
    {"statistical", make_statistical_policy},
    {"dmr", make_dmr_policy},
    {"thundervolt", make_thundervolt_policy},
};

const SchemeRow* find_row(std::string_view name) {
  for (const SchemeRow& r : kSchemeTable)
    if (r.name == name) return &r;
  return nullptr;
}

}  // namespace

const std::vector<Scheme>& all_schemes() {
  static const std::vector<Scheme> schemes = [] {
    std::vector<Scheme> v;
    for (const SchemeRow& r : kSchemeTable) v.push_back(Scheme(r.name));
    return v;
  }();
  return schemes;
}

Scheme Scheme::parse(std::string_view text, std::string_view where) {
  std::string lower(text);
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (const SchemeRow* r = find_row(lower)) return Scheme(r->name);
  std::string names;
  for (const SchemeRow& r : kSchemeTable) names += std::string(names.empty() ? "" : ", ") + std::string(r.name);
  throw ConfigError(std::string(where) + ": unknown scheme '" + std::string(text) + "' (expected one of " + names +
                    ")");
}

std::unique_ptr<DetectionPolicy> make_detection_policy(const AbftConfig& cfg) {
  cfg.validate();
  const SchemeRow* r = find_row(cfg.scheme.name());
  if (r == nullptr) throw std::logic_error("make_detection_policy: no row for scheme " + std::string(cfg.scheme.name()));
  return r->make(cfg);
}

std::unique_ptr<DetectionPolicy> make_detection_policy(Scheme scheme) {
  AbftConfig cfg;
  cfg.scheme = scheme;
  return make_detection_policy(cfg);
}

}  // namespace saffire::abft
