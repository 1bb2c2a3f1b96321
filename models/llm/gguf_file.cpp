#include "models/llm/gguf_file.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>

#include "models/llm/model_files.hpp"
#include "models/llm/safetensors.hpp"

namespace saffire::models::llm {

namespace fs = std::filesystem;

namespace {

constexpr std::uint32_t kMagic = 0x46554747u;  // "GGUF" read little-endian
constexpr std::uint64_t kMaxCount = 1u << 24;  // tensors, metadata entries (a real file has hundreds / tens)
constexpr int kMaxArrayDepth = 4;

// Metadata value types (gguf_type).
enum ValueType : std::uint32_t {
  kU8 = 0, kI8 = 1, kU16 = 2, kI16 = 3, kU32 = 4, kI32 = 5, kF32 = 6, kBool = 7, kString = 8, kArray = 9,
  kU64 = 10, kI64 = 11, kF64 = 12
};

std::int64_t scalar_size(std::uint32_t t) {  // 0 for strings, arrays and unknown types
  switch (t) {
    case kU8: case kI8: case kBool: return 1;
    case kU16: case kI16: return 2;
    case kU32: case kI32: case kF32: return 4;
    case kU64: case kI64: case kF64: return 8;
    default: return 0;
  }
}

const char* type_name(std::uint32_t t) {
  static const char* const names[] = {"uint8", "int8", "uint16", "int16", "uint32", "int32", "float32",
                                      "bool", "string", "array", "uint64", "int64", "float64"};
  return t <= kF64 ? names[t] : "unknown";
}

// Bounds-checked little-endian reads over the mapping; `what` names the item being read in errors.
class Cursor {
 public:
  Cursor(std::span<const std::byte> bytes, const fs::path& file) : m_bytes(bytes), m_file(file) {}
  std::size_t at() const { return m_at; }
  template <typename T>
  T read(const std::string& what) {
    T v;
    std::memcpy(&v, take(sizeof(T), what).data(), sizeof(T));
    return v;
  }
  std::span<const std::byte> take(std::uint64_t n, const std::string& what) {
    if (n > m_bytes.size() - m_at) {
      throw ModelFileError(m_file, "truncated: " + what + " needs " + std::to_string(n) + " bytes at offset " +
                                       std::to_string(m_at) + " but the file has " + std::to_string(m_bytes.size()));
    }
    const auto s = m_bytes.subspan(m_at, static_cast<std::size_t>(n));
    m_at += static_cast<std::size_t>(n);
    return s;
  }
  [[noreturn]] void fail_count(const std::string& what, std::uint64_t count) const {
    throw ModelFileError(m_file, "truncated: " + what + " claims " + std::to_string(count) + " elements at offset " +
                                     std::to_string(m_at) + ", more than the file's " + std::to_string(m_bytes.size()) +
                                     " bytes hold");
  }
  std::string string(const std::string& what) {
    const auto n = read<std::uint64_t>(what + " (length)");
    const auto s = take(n, what);
    return {reinterpret_cast<const char*>(s.data()), s.size()};
  }
  // Skips a value of type t (arrays recursively) and returns its bytes.
  std::span<const std::byte> skip_value(std::uint32_t t, const std::string& what, int depth) {
    const std::size_t begin = m_at;
    if (const std::int64_t n = scalar_size(t); n > 0) {
      take(static_cast<std::uint64_t>(n), what);
    } else if (t == kString) {
      string(what);
    } else if (t == kArray) {
      if (depth >= kMaxArrayDepth) throw ModelFileError(m_file, what + ": arrays nested deeper than 4");
      const auto et = read<std::uint32_t>(what + " (element type)");
      const auto count = read<std::uint64_t>(what + " (element count)");
      if (const std::int64_t es = scalar_size(et); es > 0) {
        if (count > (m_bytes.size() - m_at) / static_cast<std::uint64_t>(es)) fail_count(what, count);
        take(count * static_cast<std::uint64_t>(es), what + " elements");
      } else {
        if (et != kString && et != kArray) {
          throw ModelFileError(m_file, what + ": unknown array element type " + std::to_string(et));
        }
        if (count > m_bytes.size() - m_at) fail_count(what, count);  // each element takes at least a byte
        for (std::uint64_t i = 0; i < count; ++i) skip_value(et, what + "[" + std::to_string(i) + "]", depth + 1);
      }
    } else {
      throw ModelFileError(m_file, what + ": unknown value type " + std::to_string(t));
    }
    return m_bytes.subspan(begin, m_at - begin);
  }

 private:
  std::span<const std::byte> m_bytes;
  const fs::path& m_file;
  std::size_t m_at = 0;
};

std::int64_t tensor_bytes(GgmlType t, std::int64_t elements) {
  switch (t) {
    case GgmlType::F32:
      return 4 * elements;
    case GgmlType::F16:
    case GgmlType::BF16:
      return 2 * elements;
    case GgmlType::Q8_0:
      return elements / kQ80Block * kQ80BlockBytes;
  }
  return 0;
}

std::string dims_text(const std::vector<std::int64_t>& ne) {
  std::string out = "[";
  for (std::size_t i = 0; i < ne.size(); ++i) out += (i ? ", " : "") + std::to_string(ne[i]);
  return out + "]";
}

std::uint16_t u16_at(const std::byte* p) {
  std::uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}

}  // namespace

std::string_view to_string(GgmlType t) {
  switch (t) {
    case GgmlType::F32:
      return "F32";
    case GgmlType::F16:
      return "F16";
    case GgmlType::Q8_0:
      return "Q8_0";
    case GgmlType::BF16:
      return "BF16";
  }
  return "unknown";
}

bool is_gguf_file(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return false;
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  return in.read(magic, 4) && std::memcmp(magic, "GGUF", 4) == 0;
}

GgufFile::GgufFile(const fs::path& path) : m_file(path) {
  const auto bytes = m_file.bytes();
  Cursor c(bytes, path);
  if (c.read<std::uint32_t>("the magic") != kMagic) throw ModelFileError(path, "not a GGUF file (bad magic)");
  m_version = c.read<std::uint32_t>("the version");
  if (m_version != 2 && m_version != 3) {
    throw ModelFileError(path, "GGUF version " + std::to_string(m_version) + " is not supported (2 or 3)");
  }
  const auto n_tensors = c.read<std::uint64_t>("the tensor count");
  const auto n_values = c.read<std::uint64_t>("the metadata count");
  if (n_tensors > kMaxCount || n_values > kMaxCount) {
    throw ModelFileError(path, "tensor count " + std::to_string(n_tensors) + " or metadata count " +
                                   std::to_string(n_values) + " is implausible (at most 2^24)");
  }
  for (std::uint64_t i = 0; i < n_values; ++i) {
    const std::string key = c.string("metadata key " + std::to_string(i));
    Value v;
    v.type = c.read<std::uint32_t>("the type of key '" + key + "'");
    const std::size_t begin = c.at();
    c.skip_value(v.type, "key '" + key + "'", 0);
    v.bytes = bytes.subspan(begin, c.at() - begin);
    if (v.type == kArray) {  // element type and count in front of the elements
      std::memcpy(&v.element_type, v.bytes.data(), 4);
      std::memcpy(&v.count, v.bytes.data() + 4, 8);
      v.bytes = v.bytes.subspan(12);
    }
    if (!m_values.emplace(key, v).second) throw ModelFileError(path, "key '" + key + "' appears twice");
  }
  std::int64_t alignment = 32;
  if (has("general.alignment")) {
    alignment = integer("general.alignment");
    if (alignment < 1 || alignment > (1 << 20) || (alignment & (alignment - 1)) != 0) {
      throw ModelFileError(path, "key 'general.alignment' is " + std::to_string(alignment) + " (expected a power of two)");
    }
  }
  struct Pending {
    std::uint64_t offset;
    std::int64_t bytes;
  };
  std::vector<Pending> pending;
  for (std::uint64_t i = 0; i < n_tensors; ++i) {
    GgufTensor t;
    t.name = c.string("tensor name " + std::to_string(i));
    const std::string what = "tensor '" + t.name + "'";
    const auto n_dims = c.read<std::uint32_t>(what + " (n_dims)");
    if (n_dims < 1 || n_dims > 4) throw ModelFileError(path, what + " has " + std::to_string(n_dims) + " dims (1 to 4)");
    t.elements = 1;
    for (std::uint32_t d = 0; d < n_dims; ++d) {
      const auto ne = c.read<std::uint64_t>(what + " (dims)");
      if (ne < 1 || ne > (std::uint64_t{1} << 40) || static_cast<std::uint64_t>(t.elements) > (std::uint64_t{1} << 60) / ne) {
        throw ModelFileError(path, what + ": dimension " + std::to_string(ne) + " is zero or too large");
      }
      t.ne.push_back(static_cast<std::int64_t>(ne));
      t.elements *= static_cast<std::int64_t>(ne);
    }
    const auto type = c.read<std::uint32_t>(what + " (type)");
    if (type != 0 && type != 1 && type != 8 && type != 30) {
      throw ModelFileError(path, what + " has ggml type " + std::to_string(type) +
                                     ", which is not supported (F32 = 0, F16 = 1, Q8_0 = 8, BF16 = 30)");
    }
    t.type = static_cast<GgmlType>(type);
    if (t.type == GgmlType::Q8_0 && t.ne[0] % kQ80Block != 0) {
      throw ModelFileError(path, what + " is Q8_0 with rows of " + std::to_string(t.ne[0]) + " values (not whole blocks of 32)");
    }
    const auto offset = c.read<std::uint64_t>(what + " (offset)");
    if (offset % static_cast<std::uint64_t>(alignment) != 0) {
      throw ModelFileError(path, what + ": offset " + std::to_string(offset) + " is not a multiple of the alignment " +
                                     std::to_string(alignment));
    }
    pending.push_back({offset, tensor_bytes(t.type, t.elements)});
    if (!m_index.emplace(t.name, m_tensors.size()).second) throw ModelFileError(path, what + " appears twice");
    m_tensors.push_back(std::move(t));
  }
  const std::uint64_t data_start = (c.at() + static_cast<std::uint64_t>(alignment) - 1) / alignment * alignment;
  const std::uint64_t data_size = bytes.size() >= data_start ? bytes.size() - data_start : 0;
  std::vector<std::size_t> order(m_tensors.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    const Pending& p = pending[i];
    const auto n = static_cast<std::uint64_t>(p.bytes);
    if (p.offset > data_size || n > data_size - p.offset) {
      throw ModelFileError(path, "tensor '" + m_tensors[i].name + "' " + dims_text(m_tensors[i].ne) + " " +
                                     std::string(to_string(m_tensors[i].type)) + ": bytes [" + std::to_string(p.offset) +
                                     ", " + std::to_string(p.offset + n) + ") lie outside the tensor data (" +
                                     std::to_string(data_size) + " bytes)");
    }
    m_tensors[i].data = bytes.subspan(static_cast<std::size_t>(data_start + p.offset), static_cast<std::size_t>(n));
    order[i] = i;
  }
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return pending[a].offset < pending[b].offset; });
  for (std::size_t k = 1; k < order.size(); ++k) {
    const Pending& prev = pending[order[k - 1]];
    if (prev.offset + static_cast<std::uint64_t>(prev.bytes) > pending[order[k]].offset) {
      throw ModelFileError(path, "tensors '" + m_tensors[order[k - 1]].name + "' and '" + m_tensors[order[k]].name +
                                     "' overlap");
    }
  }
}

const GgufTensor* GgufFile::find(std::string_view name) const {
  const auto it = m_index.find(std::string(name));
  return it == m_index.end() ? nullptr : &m_tensors[it->second];
}

const GgufFile::Value& GgufFile::value(std::string_view key, const char* expected) const {
  const auto it = m_values.find(std::string(key));
  if (it == m_values.end()) throw ModelFileError(path(), "key '" + std::string(key) + "' is missing (expected " + expected + ")");
  return it->second;
}

void GgufFile::fail_type(std::string_view key, const Value& v, const char* expected) const {
  throw ModelFileError(path(), "key '" + std::string(key) + "' is " + type_name(v.type) +
                                   (v.type == kArray ? std::string(" of ") + type_name(v.element_type) : "") +
                                   " (expected " + expected + ")");
}

std::string GgufFile::string(std::string_view key) const {
  const Value& v = value(key, "a string");
  if (v.type != kString) fail_type(key, v, "a string");
  return {reinterpret_cast<const char*>(v.bytes.data()) + 8, v.bytes.size() - 8};
}

std::int64_t GgufFile::integer(std::string_view key) const {
  const Value& v = value(key, "an integer");
  const std::byte* p = v.bytes.data();
  const auto get = [p](auto x) {
    std::memcpy(&x, p, sizeof(x));
    return x;
  };
  switch (v.type) {
    case kU8: return get(std::uint8_t{});
    case kI8: return get(std::int8_t{});
    case kU16: return get(std::uint16_t{});
    case kI16: return get(std::int16_t{});
    case kU32: return get(std::uint32_t{});
    case kI32: return get(std::int32_t{});
    case kI64: return get(std::int64_t{});
    case kU64: {
      const std::uint64_t u = get(std::uint64_t{});
      if (u > static_cast<std::uint64_t>(INT64_MAX)) fail_type(key, v, "an integer below 2^63");
      return static_cast<std::int64_t>(u);
    }
    default:
      fail_type(key, v, "an integer");
  }
}

double GgufFile::number(std::string_view key) const {
  const Value& v = value(key, "a number");
  if (v.type == kF32) {
    float f;
    std::memcpy(&f, v.bytes.data(), 4);
    return f;
  }
  if (v.type == kF64) {
    double d;
    std::memcpy(&d, v.bytes.data(), 8);
    return d;
  }
  if (v.type == kString || v.type == kArray || v.type == kBool) fail_type(key, v, "a number");
  return static_cast<double>(integer(key));
}

bool GgufFile::boolean(std::string_view key) const {
  const Value& v = value(key, "a bool");
  if (v.type != kBool) fail_type(key, v, "a bool");
  return v.bytes[0] != std::byte{0};
}

std::vector<std::string> GgufFile::string_array(std::string_view key) const {
  const Value& v = value(key, "an array of strings");
  if (v.type != kArray || v.element_type != kString) fail_type(key, v, "an array of strings");
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(v.count));
  Cursor c(v.bytes, path());
  for (std::uint64_t i = 0; i < v.count; ++i) out.push_back(c.string(std::string(key)));
  return out;
}

std::vector<float> GgufFile::float_array(std::string_view key) const {
  const Value& v = value(key, "an array of float32");
  if (v.type != kArray || v.element_type != kF32) fail_type(key, v, "an array of float32");
  std::vector<float> out(static_cast<std::size_t>(v.count));
  std::memcpy(out.data(), v.bytes.data(), out.size() * 4);
  return out;
}

void gguf_row_to_f32(const GgufTensor& t, const fs::path& file, std::int64_t row, std::span<float> out) {
  const std::int64_t n = t.ne[0];
  const std::byte* p = t.data.data();
  switch (t.type) {
    case GgmlType::F32:
      std::memcpy(out.data(), p + 4 * row * n, static_cast<std::size_t>(4 * n));
      break;
    case GgmlType::F16:
      for (std::int64_t i = 0; i < n; ++i) out[static_cast<std::size_t>(i)] = f16_to_f32(u16_at(p + 2 * (row * n + i)));
      break;
    case GgmlType::BF16:
      for (std::int64_t i = 0; i < n; ++i) out[static_cast<std::size_t>(i)] = bf16_to_f32(u16_at(p + 2 * (row * n + i)));
      break;
    case GgmlType::Q8_0: {
      const std::byte* block = p + row * (n / kQ80Block) * kQ80BlockBytes;
      for (std::int64_t b = 0; b < n / kQ80Block; ++b, block += kQ80BlockBytes) {
        const float d = f16_to_f32(u16_at(block));
        for (std::int64_t i = 0; i < kQ80Block; ++i) {
          out[static_cast<std::size_t>(b * kQ80Block + i)] = d * static_cast<float>(static_cast<std::int8_t>(block[2 + i]));
        }
      }
      break;
    }
  }
  for (std::int64_t i = 0; i < n; ++i) {
    if (!std::isfinite(out[static_cast<std::size_t>(i)])) {
      throw ModelFileError(file, "tensor '" + t.name + "' has a non-finite value at element " + std::to_string(row * n + i));
    }
  }
}

void gguf_tensor_to_f32(const GgufTensor& t, const fs::path& file, std::span<float> out) {
  const std::int64_t n = t.ne[0];
  for (std::int64_t r = 0; r < t.rows(); ++r) {
    gguf_row_to_f32(t, file, r, out.subspan(static_cast<std::size_t>(r * n), static_cast<std::size_t>(n)));
  }
}

}  // namespace saffire::models::llm
