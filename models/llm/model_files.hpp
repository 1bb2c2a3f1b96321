#pragma once
// Where the model data lives and how a bad file is reported.
//
// The real models (stories260K.bin, tok512.bin, tokenizer.bin, tinystories_val.txt) are data outside the
// repository. A file is found, in this order, at: an explicit path given by the user; $SAFFIRE_MODELS/<name>;
// <source tree>/../shared/models/<name>; ./../shared/models/<name> (relative to the working directory).
#include <filesystem>
#include <string>
#include <string_view>

#include "arch/config_error.hpp"

namespace saffire::models::llm {

/// A model, tokenizer or text file that is missing, unreadable, truncated or corrupt. It is bad user input,
/// so it derives from ConfigError (the CLI exits with code 2). The message names the file and the problem.
class ModelFileError : public saffire::ConfigError {
 public:
  ModelFileError(const std::filesystem::path& file, const std::string& problem);
  const std::filesystem::path& file() const { return m_file; }

 private:
  std::filesystem::path m_file;
};

/// Default file names of the shared data.
inline constexpr std::string_view kDefaultModelFile = "stories260K.bin";
inline constexpr std::string_view kDefaultTokenizerFile = "tok512.bin";
inline constexpr std::string_view kDefaultTextFile = "tinystories_val.txt";
inline constexpr std::string_view kDefaultWikiTextFile = "wiki.test.raw";  // WikiText-2 raw test split

/// The directory searched for data files when no explicit path is given ($SAFFIRE_MODELS, else the first
/// existing default); empty when none exists.
std::filesystem::path default_models_dir();

/// Resolves a data file: `explicit_path` when non-empty (it must exist), else `file_name` inside
/// default_models_dir(). Throws ModelFileError saying what was tried when the file is not found.
std::filesystem::path resolve_model_file(std::string_view file_name, const std::string& explicit_path = {});

/// Reads a whole file (text or binary); throws ModelFileError when it cannot be opened or read.
std::string read_file(const std::filesystem::path& path);

}  // namespace saffire::models::llm
