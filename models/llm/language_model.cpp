#include "models/llm/language_model.hpp"

#include "models/llm/model_files.hpp"

namespace saffire::models::llm {

LanguageModel load_language_model(const std::string& model_path, const std::string& tokenizer_path) {
  const auto model_file = resolve_model_file(kDefaultModelFile, model_path);
  const auto tokenizer_file = resolve_model_file(kDefaultTokenizerFile, tokenizer_path);
  LanguageModel lm{model_file, tokenizer_file, load_checkpoint(model_file), Tokenizer(tokenizer_file)};
  if (lm.tokenizer.vocab_size() != lm.checkpoint.config().vocab_size) {
    throw ModelFileError(tokenizer_file, "tokenizer has " + std::to_string(lm.tokenizer.vocab_size()) +
                                             " tokens but the model " + model_file.string() + " has vocab_size " +
                                             std::to_string(lm.checkpoint.config().vocab_size));
  }
  return lm;
}

}  // namespace saffire::models::llm
