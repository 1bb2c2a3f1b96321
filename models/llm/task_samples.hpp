#pragma once
// The samples of a task-level evaluation (LLMFI reports outcomes per task, not perplexity):
// - lambada: LAMBADA-style last-word prediction built from any text's paragraphs (split at blank lines): the
//   context is the paragraph up to its last word, the target " word" (trailing punctuation and quotes dropped);
// - choice: multiple choice by log-likelihood, lm-eval-harness style, from JSONL lines
//   {"context": "...", "choices": [" a", " b", ...], "gold": 1};
// - exact: generation exact-match, from JSONL lines {"context": "...", "answer": "..."}.
// Choices and answers are continuations of the context: write their leading space, as lm-eval does.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace saffire::models::llm {

enum class TaskKind { Lambada, Choice, Exact };

/// "lambada" / "choice" / "exact"; parse throws std::invalid_argument listing them.
std::string_view to_string(TaskKind kind);
TaskKind parse_task_kind(std::string_view name);

struct TaskSample {
  std::string context;               // what the model conditions on (BOS is prepended when scored)
  std::vector<std::string> choices;  // lambada: {" target"}; choice: the options; exact: {the answer}
  int gold = 0;                      // index of the right choice (lambada, exact: 0)
  int source_line = 0;               // 1-based: the JSONL line, or the paragraph of a lambada text
};

/// The lambada samples of `text` (at most `max_samples`): every paragraph with a word before its last word.
/// Throws ModelFileError naming `file` when no paragraph gives a sample.
std::vector<TaskSample> lambada_samples(std::string_view text, const std::filesystem::path& file,
                                        std::size_t max_samples);

/// The samples of a JSONL file of `kind` choice or exact (blank lines skipped; at most `max_samples`).
/// Throws ModelFileError naming `file`, the line and the key on a line that is not a JSON object, a missing or
/// mistyped key, fewer than two choices, a gold index out of range, or an empty file.
std::vector<TaskSample> jsonl_samples(TaskKind kind, std::string_view text, const std::filesystem::path& file,
                                      std::size_t max_samples);

/// The samples of `kind` from a file's contents (lambada_samples or jsonl_samples).
std::vector<TaskSample> task_samples(TaskKind kind, std::string_view text, const std::filesystem::path& file,
                                     std::size_t max_samples);

}  // namespace saffire::models::llm
