#pragma once
// TomlTableReader: reads one table of a TOML config file the way every saffire config reader does
// (style.md point 3): each key is asked for by type, required or defaulted; numbers are range-checked;
// finish() rejects every key nobody asked for. Errors name the file, line and full key path:
//   "t.toml:3: arch.rows: expected an integer, got a string"
//   "t.toml:4: arch.colz: unknown key (expected one of rows, cols, dataflow, ...)"
//
//   const toml::table doc = parse_toml(text, origin);
//   TomlTableReader root(doc, origin, "");
//   if (TomlTableReader* arch = root.table("arch")) {   // other tables belong to other readers
//     cfg.rows = arch->get_or("rows", cfg.rows, in_range(1, 4096));
//     cfg.scope = arch->choice_or("scope", cfg.scope, {{"gemm", Scope::Gemm}, {"tile", Scope::Tile}});
//     arch->finish();
//   }
#include <toml++/toml.h>

#include <cstddef>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "arch/config_error.hpp"

namespace saffire {

/// Bounds a number must lie in (closed, or open below for positive()); an unset bound is the target
/// type's own limit, so an int key rejects TOML integers beyond int's range.
template <typename T>
struct Range {
  std::optional<T> lo, hi;
  bool lo_open = false;
};
template <typename T>
Range<T> in_range(T lo, T hi) {
  return {lo, hi, false};
}
template <typename T>
Range<T> positive() {
  return {T{0}, std::nullopt, true};
}
template <typename T>
Range<T> non_negative() {
  return {T{0}, std::nullopt, false};
}

class TomlTableReader {
 public:
  /// `table` must outlive the reader. `origin` names the file in errors; `path` is the table's key path
  /// ("arch", "abft.linear"; "" for the document root).
  TomlTableReader(const toml::table& table, std::string origin, std::string path);
  TomlTableReader(toml::table&&, std::string, std::string) = delete;  // would dangle

  /// The value of `key`, or nothing when the table lacks it. T is bool, int, std::int64_t, std::uint64_t,
  /// double or std::string. Integers must be TOML integers (not floats) within `range` and T's range;
  /// doubles take TOML integers or floats, finite, within `range` (ranges apply to numbers only).
  template <typename T>
  std::optional<T> optional(std::string_view key, const Range<T>& range = {});
  /// Same; a missing key is an error.
  template <typename T>
  T required(std::string_view key, const Range<T>& range = {}) {
    if (std::optional<T> v = optional<T>(key, range)) return *v;
    throw ConfigError(where(key) + ": required key missing (expected " + kind_of<T>() + ")");
  }
  /// Same; a missing key gives `fallback`.
  template <typename T>
  T get_or(std::string_view key, T fallback, const Range<T>& range = {}) {
    return optional<T>(key, range).value_or(fallback);
  }

  /// A string that must be one of `options` (compared exactly); the error lists them.
  template <typename E>
  std::optional<E> choice(std::string_view key, std::initializer_list<std::pair<std::string_view, E>> options) {
    std::vector<std::string_view> names;
    for (const auto& option : options) names.push_back(option.first);
    const std::optional<std::size_t> i = choice_index(key, names);
    if (!i) return std::nullopt;
    return (options.begin() + *i)->second;
  }
  template <typename E>
  E choice_or(std::string_view key, E fallback, std::initializer_list<std::pair<std::string_view, E>> options) {
    return choice(key, options).value_or(fallback);
  }

  /// The sub-table `key` as a reader of its own (path "<path>.<key>"), nullptr when absent; not a table is
  /// an error. The parent owns it, and the parent's finish() finishes it too.
  TomlTableReader* table(std::string_view key);
  /// The raw node of `key` (nullptr when absent), for values no typed getter fits; the key counts as read.
  const toml::node* node(std::string_view key);
  /// Every key of the table, in table (alphabetical) order: for tables whose keys are names, not fields.
  std::vector<std::string> keys() const;

  /// "<path>.<key>" ("<key>" at the root).
  std::string key_path(std::string_view key) const;
  /// "origin:line: <path>.<key>": the key's line, or the table's when the key is absent. Errors start with it.
  std::string where(std::string_view key) const;

  /// Runs `check` (a config struct's validate(), whose errors start "<path>.<key>: ..."), rethrowing its
  /// ConfigError with the file and, when the file gives that key, its line.
  void validate(const std::function<void()>& check) const;

  /// Throws ConfigError for every key of this table and its sub-tables that no getter asked for, one line
  /// each, in file order: "origin:line: <path>.<key>: unknown key (expected one of ...)".
  void finish() const;

 private:
  template <typename T>
  static std::string kind_of() {  // what a T is, in error messages
    if constexpr (std::is_same_v<T, bool>) {
      return "true or false";
    } else if constexpr (std::is_same_v<T, std::string>) {
      return "a string";
    } else if constexpr (std::is_integral_v<T>) {
      return "an integer";
    } else {
      return "a number";
    }
  }
  std::optional<std::size_t> choice_index(std::string_view key, const std::vector<std::string_view>& names);
  const toml::node* ask(std::string_view key);  // records `key` as known
  void unknown_keys(std::vector<std::pair<std::size_t, std::string>>& out) const;

  const toml::table& m_table;
  std::string m_origin;
  std::string m_path;
  std::vector<std::string> m_known;  // keys asked for, in asking order (the "expected one of" list)
  std::map<std::string, std::unique_ptr<TomlTableReader>, std::less<>> m_children;
};

}  // namespace saffire
