#include "arch/toml_table_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

namespace saffire {
namespace {

std::string text_of(double x) {  // shortest text that reads back as the same double
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, res.ptr);
}
template <typename T>
std::string text_of(T x) {
  return std::to_string(x);
}

// "a positive integer", "a number in [0, 1]", ...: what `range` admits, in error messages.
template <typename T>
std::string describe(const Range<T>& range) {
  const T lo = range.lo.value_or(std::numeric_limits<T>::lowest());
  const T hi = range.hi.value_or(std::numeric_limits<T>::max());
  const std::string kind = std::is_integral_v<T> ? "integer" : "number";
  if (lo == T{0} && !range.hi) return (range.lo_open ? "a positive " : "a non-negative ") + kind;
  return (std::is_integral_v<T> ? "an integer in " : "a number in ") + std::string(range.lo_open ? "(" : "[") +
         text_of(lo) + ", " + text_of(hi) + "]";
}

std::string type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

// `"a"`, `"a" or "b"`, `"a", "b" or "c"`.
std::string alternatives(const std::vector<std::string_view>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += "\"" + std::string(names[i]) + "\"";
  }
  return out;
}

std::string location(const std::string& origin, const toml::source_region& src) {
  return src.begin.line > 0 ? origin + ":" + std::to_string(src.begin.line) : origin;
}

}  // namespace

TomlTableReader::TomlTableReader(const toml::table& table, std::string origin, std::string path)
    : m_table(table), m_origin(std::move(origin)), m_path(std::move(path)) {}

template <typename T>
std::optional<T> TomlTableReader::optional(std::string_view key, const Range<T>& range) {
  const toml::node* n = ask(key);
  if (!n) return std::nullopt;
  const auto expected = [&](const std::string& what, const std::string& got) {
    return ConfigError(where(key) + ": expected " + what + ", got " + got);
  };
  if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, std::string>) {
    const std::optional<T> v = n->value_exact<T>();
    if (!v) throw expected(kind_of<T>(), type_name(*n));
    return v;
  } else if constexpr (std::is_integral_v<T>) {
    const std::optional<std::int64_t> v = n->value_exact<std::int64_t>();  // a float is not an integer
    if (!v) throw expected(kind_of<T>(), type_name(*n));
    const T lo = range.lo.value_or(std::numeric_limits<T>::lowest());
    const T hi = range.hi.value_or(std::numeric_limits<T>::max());
    const bool above_lo = range.lo_open ? std::cmp_greater(*v, lo) : std::cmp_greater_equal(*v, lo);
    if (!above_lo || std::cmp_greater(*v, hi)) throw expected(describe(range), std::to_string(*v));
    return static_cast<T>(*v);
  } else {
    static_assert(std::is_same_v<T, double>, "TomlTableReader reads bool, integers, double and std::string");
    if (!n->is_number()) throw expected(kind_of<T>(), type_name(*n));
    const double v = *n->value<double>();  // TOML integers too
    if (!std::isfinite(v)) throw expected("a finite number", text_of(v));
    const bool above_lo = !range.lo || (range.lo_open ? v > *range.lo : v >= *range.lo);
    if (!above_lo || (range.hi && v > *range.hi)) throw expected(describe(range), text_of(v));
    return v;
  }
}

template std::optional<bool> TomlTableReader::optional(std::string_view, const Range<bool>&);
template std::optional<int> TomlTableReader::optional(std::string_view, const Range<int>&);
template std::optional<std::int64_t> TomlTableReader::optional(std::string_view, const Range<std::int64_t>&);
template std::optional<std::uint64_t> TomlTableReader::optional(std::string_view, const Range<std::uint64_t>&);
template std::optional<double> TomlTableReader::optional(std::string_view, const Range<double>&);
template std::optional<std::string> TomlTableReader::optional(std::string_view, const Range<std::string>&);

std::optional<std::size_t> TomlTableReader::choice_index(std::string_view key,
                                                         const std::vector<std::string_view>& names) {
  const std::optional<std::string> s = optional<std::string>(key);
  if (!s) return std::nullopt;
  const auto it = std::find(names.begin(), names.end(), *s);
  if (it == names.end()) throw ConfigError(where(key) + ": expected " + alternatives(names) + ", got \"" + *s + "\"");
  return static_cast<std::size_t>(it - names.begin());
}

TomlTableReader* TomlTableReader::table(std::string_view key) {
  const toml::node* n = ask(key);
  if (!n) return nullptr;
  const toml::table* t = n->as_table();
  if (!t) throw ConfigError(where(key) + ": must be a table ([" + key_path(key) + "])");
  auto it = m_children.find(key);
  if (it == m_children.end())
    it = m_children.emplace(std::string(key), std::make_unique<TomlTableReader>(*t, m_origin, key_path(key))).first;
  return it->second.get();
}

const toml::node* TomlTableReader::node(std::string_view key) { return ask(key); }

std::vector<std::string> TomlTableReader::keys() const {
  std::vector<std::string> out;
  for (const auto& [k, n] : m_table) out.emplace_back(k.str());
  return out;
}

std::string TomlTableReader::key_path(std::string_view key) const {
  return m_path.empty() ? std::string(key) : m_path + "." + std::string(key);
}

std::string TomlTableReader::where(std::string_view key) const {
  const toml::node* n = m_table.get(key);
  return location(m_origin, n ? n->source() : m_table.source()) + ": " + key_path(key);
}

void TomlTableReader::validate(const std::function<void()>& check) const {
  try {
    check();
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    const std::string prefix = m_path.empty() ? "" : m_path + ".";
    const std::size_t colon = msg.find(':');
    if (colon != std::string::npos && colon > prefix.size() && msg.compare(0, prefix.size(), prefix) == 0) {
      // A dotted key ("component.k") names a value in a sub-table.
      if (const toml::node* n = m_table.at_path(msg.substr(prefix.size(), colon - prefix.size())).node())
        throw ConfigError(location(m_origin, n->source()) + ": " + msg);
    }
    throw ConfigError(m_origin + ": " + msg);
  }
}

void TomlTableReader::finish() const {
  std::vector<std::pair<std::size_t, std::string>> errors;  // (line, message)
  unknown_keys(errors);
  if (errors.empty()) return;
  std::stable_sort(errors.begin(), errors.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string msg;
  for (const auto& [line, text] : errors) msg += (msg.empty() ? "" : "\n") + text;
  throw ConfigError(msg);
}

const toml::node* TomlTableReader::ask(std::string_view key) {
  if (std::find(m_known.begin(), m_known.end(), key) == m_known.end()) m_known.emplace_back(key);
  return m_table.get(key);
}

void TomlTableReader::unknown_keys(std::vector<std::pair<std::size_t, std::string>>& out) const {
  std::string expected;
  for (const std::string& k : m_known) expected += (expected.empty() ? "" : ", ") + k;
  for (const auto& [k, n] : m_table) {
    if (std::find(m_known.begin(), m_known.end(), k.str()) != m_known.end()) continue;
    std::string msg = where(k.str()) + (n.is_table() ? ": unknown table" : ": unknown key");
    if (!expected.empty()) msg += " (expected one of " + expected + ")";
    out.emplace_back(n.source().begin.line, std::move(msg));
  }
  for (const auto& [name, child] : m_children) child->unknown_keys(out);
}

}  // namespace saffire
