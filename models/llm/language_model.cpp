#include "models/llm/language_model.hpp"

#include "models/llm/gguf_checkpoint.hpp"
#include "models/llm/hf_checkpoint.hpp"
#include "models/llm/model_files.hpp"
#include "models/llm/tokenizer_json.hpp"

namespace saffire::models::llm {

namespace fs = std::filesystem;

namespace {

Tokenizer load_tokenizer(const fs::path& file, int bos, int eos) {
  if (file.extension() == ".json") return load_tokenizer_json(file, bos, eos);
  return Tokenizer(file);
}

LanguageModel load_hf_language_model(const fs::path& dir, const std::string& tokenizer_path, WeightStorage storage) {
  HfModelConfig hf;
  Checkpoint ckpt = load_hf_checkpoint(dir, &hf, storage);
  fs::path tokenizer_file;
  if (!tokenizer_path.empty()) {
    tokenizer_file = resolve_model_file({}, tokenizer_path);
  } else {
    tokenizer_file = dir / "tokenizer.json";
    std::error_code ec;
    if (!fs::is_regular_file(tokenizer_file, ec)) {
      throw ModelFileError(tokenizer_file, "missing: the model folder has no tokenizer.json (give --tokenizer)");
    }
  }
  Tokenizer tok = load_tokenizer(tokenizer_file, hf.bos_token_id, hf.eos_token_id);
  const int model_vocab = ckpt.config().vocab_size;
  if (tok.vocab_size() > model_vocab) {
    throw ModelFileError(tokenizer_file, "tokenizer has " + std::to_string(tok.vocab_size()) + " tokens but the model " +
                                             (dir / "config.json").string() + " has vocab_size " +
                                             std::to_string(model_vocab));
  }
  tok.pad_vocabulary(model_vocab);  // padded embedding rows (OPT, Qwen2 and others round vocab_size up)
  return LanguageModel{dir, tokenizer_file, std::move(ckpt), std::move(tok)};
}

// A GGUF file: its own tokenizer unless one is given (then that one, checked like a llama2.c pair).
LanguageModel load_gguf_language_model(const fs::path& file, const std::string& tokenizer_path, WeightStorage storage) {
  auto gguf = std::make_shared<const GgufFile>(file);
  std::optional<Tokenizer> tok;
  fs::path tokenizer_file = file;
  if (!tokenizer_path.empty()) {
    tokenizer_file = resolve_model_file({}, tokenizer_path);
    tok.emplace(load_tokenizer(tokenizer_file, -1, -1));
  } else {
    tok = load_gguf_tokenizer(*gguf);
    if (!tok) throw ModelFileError(file, "has no tokenizer (no key 'tokenizer.ggml.tokens'): give --tokenizer");
  }
  Checkpoint ckpt = load_gguf_checkpoint(gguf, storage);
  if (tok->vocab_size() != ckpt.config().vocab_size) {
    throw ModelFileError(tokenizer_file, "tokenizer has " + std::to_string(tok->vocab_size()) + " tokens but the model " +
                                             file.string() + " has vocab_size " + std::to_string(ckpt.config().vocab_size));
  }
  return LanguageModel{file, tokenizer_file, std::move(ckpt), std::move(*tok)};
}

}  // namespace

LanguageModel load_language_model(const std::string& model_path, const std::string& tokenizer_path,
                                  WeightStorage storage) {
  if (!model_path.empty()) {
    std::error_code ec;
    if (fs::is_directory(model_path, ec)) return load_hf_language_model(model_path, tokenizer_path, storage);
  }
  const auto model_file = resolve_model_file(kDefaultModelFile, model_path);
  // A .gguf name goes to the GGUF reader even without the magic, so a damaged file says "bad magic", not a
  // llama2.c header error.
  if (is_gguf_file(model_file) || model_file.extension() == ".gguf") {
    return load_gguf_language_model(model_file, tokenizer_path, storage);
  }
  const auto tokenizer_file = resolve_model_file(kDefaultTokenizerFile, tokenizer_path);
  LanguageModel lm{model_file, tokenizer_file, load_checkpoint(model_file, storage), load_tokenizer(tokenizer_file, -1, -1)};
  if (lm.tokenizer.vocab_size() != lm.checkpoint.config().vocab_size) {
    throw ModelFileError(tokenizer_file, "tokenizer has " + std::to_string(lm.tokenizer.vocab_size()) +
                                             " tokens but the model " + model_file.string() + " has vocab_size " +
                                             std::to_string(lm.checkpoint.config().vocab_size));
  }
  return lm;
}

}  // namespace saffire::models::llm
