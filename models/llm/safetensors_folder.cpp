#include "models/llm/safetensors_folder.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "models/llm/model_files.hpp"

namespace saffire::models::llm {

namespace fs = std::filesystem;

SafetensorsFolder::SafetensorsFolder(const fs::path& dir) {
  const fs::path single = dir / "model.safetensors", index = dir / "model.safetensors.index.json";
  std::error_code ec;
  if (fs::is_regular_file(single, ec)) {
    m_source = single;
    m_files.push_back(std::make_unique<SafetensorsFile>(single));
    for (const auto& t : m_files[0]->tensors()) m_where.emplace(t.name, 0);
    return;
  }
  if (!fs::is_regular_file(index, ec)) {
    throw ModelFileError(dir, "no weights: expected model.safetensors or model.safetensors.index.json in the folder");
  }
  m_source = index;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file(index));
  } catch (const nlohmann::json::exception& e) {
    throw ModelFileError(index, std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object()) {
    throw ModelFileError(index, "key 'weight_map': missing (expected an object mapping tensor names to shard files)");
  }
  // Every entry is checked before any shard is opened: a string, a plain file name inside the folder.
  for (const auto& [tensor, shard_json] : j["weight_map"].items()) {
    if (!shard_json.is_string()) {
      throw ModelFileError(index, "key 'weight_map." + tensor + "': expected a shard file name, got " + shard_json.dump());
    }
    const std::string shard = shard_json.get<std::string>();
    if (shard.empty() || shard.find('/') != std::string::npos || shard.find('\\') != std::string::npos ||
        shard == "." || shard == "..") {
      throw ModelFileError(index, "key 'weight_map." + tensor + "': shard '" + shard +
                                      "' is not a plain file name inside the model folder");
    }
  }
  std::map<std::string, std::size_t> shard_slot;
  for (const auto& [tensor, shard_json] : j["weight_map"].items()) {
    const std::string shard = shard_json.get<std::string>();
    auto [it, inserted] = shard_slot.emplace(shard, m_files.size());
    if (inserted) {
      const fs::path p = dir / shard;
      if (!fs::is_regular_file(p, ec)) {
        throw ModelFileError(index, "shard '" + shard + "' (holding tensor '" + tensor + "') is missing from " + dir.string());
      }
      m_files.push_back(std::make_unique<SafetensorsFile>(p));
    }
    if (m_files[it->second]->find(tensor) == nullptr) {
      throw ModelFileError(m_files[it->second]->path(),
                           "tensor '" + tensor + "' is not in this shard, though " + index.filename().string() + " says it is");
    }
    m_where.emplace(tensor, it->second);
  }
}

SafetensorsFolder::Found SafetensorsFolder::find(std::string_view name) const {
  const auto it = m_where.find(std::string(name));
  if (it == m_where.end()) return {};
  const SafetensorsFile& f = *m_files[it->second];
  return {f.find(name), &f.path()};
}

std::string SafetensorsFolder::dtypes() const {
  std::vector<std::string> names;
  for (const auto& f : m_files) {
    for (const auto& t : f->tensors()) {
      if (std::find(names.begin(), names.end(), t.dtype_name) == names.end()) names.push_back(t.dtype_name);
    }
  }
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) out += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + names[i];
  return out;
}

}  // namespace saffire::models::llm
