#include "models/llm/task_samples.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "models/llm/model_files.hpp"
#include "models/llm/perplexity.hpp"

namespace saffire::models::llm {

std::string_view to_string(TaskKind kind) {
  switch (kind) {
    case TaskKind::Lambada: return "lambada";
    case TaskKind::Choice: return "choice";
    case TaskKind::Exact: return "exact";
  }
  return "?";
}

TaskKind parse_task_kind(std::string_view name) {
  for (const TaskKind k : {TaskKind::Lambada, TaskKind::Choice, TaskKind::Exact})
    if (name == to_string(k)) return k;
  throw std::invalid_argument("unknown task '" + std::string(name) + "' (known: lambada, choice, exact)");
}

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Punctuation and quotes that end a sentence after its last word.
bool is_trailing_mark(char c) {
  return c == '.' || c == ',' || c == '!' || c == '?' || c == ';' || c == ':' || c == '"' || c == '\'' || c == ')';
}

}  // namespace

std::vector<TaskSample> lambada_samples(std::string_view text, const std::filesystem::path& file,
                                        std::size_t max_samples) {
  std::vector<TaskSample> out;
  const std::vector<std::string_view> paragraphs = split_paragraphs(text);
  for (std::size_t p = 0; p < paragraphs.size() && out.size() < max_samples; ++p) {
    std::string_view s = paragraphs[p];
    while (!s.empty() && (is_space(s.back()) || is_trailing_mark(s.back()))) s.remove_suffix(1);
    std::size_t start = s.size();
    while (start > 0 && !is_space(s[start - 1])) --start;  // the last word is s[start, end)
    const std::string_view word = s.substr(start);
    std::string_view context = s.substr(0, start);
    while (!context.empty() && is_space(context.back())) context.remove_suffix(1);
    const bool has_context = context.find_first_not_of(" \t\n\r\f\v") != std::string_view::npos;
    if (word.empty() || !has_context) continue;
    TaskSample t;
    t.context = std::string(context);
    std::string target(1, ' ');  // not " " + std::string(word): GCC 12 warns falsely (-Wrestrict) on that
    target += word;
    t.choices = {std::move(target)};
    t.source_line = static_cast<int>(p) + 1;
    out.push_back(std::move(t));
  }
  if (out.empty())
    throw ModelFileError(file, "no paragraph gives a lambada sample (a paragraph needs a word before its last word)");
  return out;
}

namespace {

std::string read_string(const nlohmann::json& j, const char* key, const std::string& where) {
  const auto it = j.find(key);
  if (it == j.end()) throw std::runtime_error(where + ": key '" + key + "' is missing (a string)");
  if (!it->is_string()) throw std::runtime_error(where + ": key '" + key + "' must be a string, not " + it->type_name());
  return it->get<std::string>();
}

TaskSample parse_line(TaskKind kind, std::string_view line, const std::string& where) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(line);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(where + ": not JSON (" + e.what() + ")");
  }
  if (!j.is_object()) throw std::runtime_error(where + ": a line must be a JSON object, not " + std::string(j.type_name()));
  TaskSample t;
  t.context = read_string(j, "context", where);
  if (kind == TaskKind::Exact) {
    t.choices = {read_string(j, "answer", where)};
    return t;
  }
  const auto choices = j.find("choices");
  if (choices == j.end() || !choices->is_array() || choices->size() < 2)
    throw std::runtime_error(where + ": key 'choices' must be an array of at least two strings");
  for (const nlohmann::json& c : *choices) {
    if (!c.is_string()) throw std::runtime_error(where + ": key 'choices' holds a " + std::string(c.type_name()) + ", not a string");
    if (c.get<std::string>().empty()) throw std::runtime_error(where + ": key 'choices' holds an empty string");
    t.choices.push_back(c.get<std::string>());
  }
  const auto gold = j.find("gold");
  const auto n = static_cast<std::int64_t>(t.choices.size());
  if (gold == j.end() || !gold->is_number_integer() || gold->get<std::int64_t>() < 0 || gold->get<std::int64_t>() >= n)
    throw std::runtime_error(where + ": key 'gold' must be an integer in 0.." + std::to_string(n - 1) + " (the right choice)");
  t.gold = static_cast<int>(gold->get<std::int64_t>());
  return t;
}

}  // namespace

std::vector<TaskSample> jsonl_samples(TaskKind kind, std::string_view text, const std::filesystem::path& file,
                                      std::size_t max_samples) {
  if (kind == TaskKind::Lambada) throw std::invalid_argument("jsonl_samples: lambada samples come from a plain text");
  std::vector<TaskSample> out;
  std::size_t begin = 0;
  for (int line_no = 1; begin < text.size() && out.size() < max_samples; ++line_no) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(begin, end - begin);
    begin = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    try {
      TaskSample t = parse_line(kind, line, "line " + std::to_string(line_no));
      t.source_line = line_no;
      out.push_back(std::move(t));
    } catch (const std::runtime_error& e) {
      throw ModelFileError(file, e.what());
    }
  }
  if (out.empty())
    throw ModelFileError(file, std::string("no ") + std::string(to_string(kind)) + " sample: the file has no JSON line");
  return out;
}

std::vector<TaskSample> task_samples(TaskKind kind, std::string_view text, const std::filesystem::path& file,
                                     std::size_t max_samples) {
  return kind == TaskKind::Lambada ? lambada_samples(text, file, max_samples)
                                   : jsonl_samples(kind, text, file, max_samples);
}

}  // namespace saffire::models::llm
