#include "models/llm/safetensors.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "models/llm/model_files.hpp"

namespace saffire::models::llm {

static_assert(std::endian::native == std::endian::little, "safetensors files are little-endian");

namespace {

constexpr std::uint64_t kMaxHeaderBytes = 100ull << 20;  // the format's own limit (100 MB)

struct DtypeInfo {
  const char* name;
  TensorDtype dtype;
  int bytes;
};
constexpr DtypeInfo kDtypes[] = {
    {"F32", TensorDtype::F32, 4},  {"F16", TensorDtype::F16, 2},   {"BF16", TensorDtype::BF16, 2},
    {"F64", TensorDtype::F64, 8},  {"I64", TensorDtype::I64, 8},   {"I32", TensorDtype::I32, 4},
    {"I16", TensorDtype::I16, 2},  {"I8", TensorDtype::I8, 1},     {"U8", TensorDtype::U8, 1},
    {"BOOL", TensorDtype::Bool, 1}, {"U16", TensorDtype::Other, 2}, {"U32", TensorDtype::Other, 4},
    {"U64", TensorDtype::Other, 8}, {"F8_E4M3", TensorDtype::Other, 1}, {"F8_E5M2", TensorDtype::Other, 1}};

std::string known_dtypes() {
  std::string out;
  for (const auto& d : kDtypes) out += (out.empty() ? "" : ", ") + std::string(d.name);
  return out;
}

}  // namespace

std::string_view to_string(TensorDtype t) {
  for (const auto& d : kDtypes) {
    if (d.dtype == t) return d.name;
  }
  return "other";
}

SafetensorsFile::SafetensorsFile(const std::filesystem::path& path) : m_file(path) {
  const auto bytes = m_file.bytes();
  const auto fail = [&](const std::string& what) { throw ModelFileError(path, "safetensors: " + what); };
  if (bytes.size() < 8) fail("file is " + std::to_string(bytes.size()) + " bytes, shorter than the 8-byte header length");
  std::uint64_t header_len;
  std::memcpy(&header_len, bytes.data(), 8);
  if (header_len > bytes.size() - 8) {
    fail("header length " + std::to_string(header_len) + " is larger than the file (" + std::to_string(bytes.size()) +
         " bytes): truncated or not a safetensors file");
  }
  if (header_len > kMaxHeaderBytes) fail("header length " + std::to_string(header_len) + " exceeds 100 MiB");
  const std::string_view header(reinterpret_cast<const char*>(bytes.data() + 8), header_len);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(header.begin(), header.end(), nullptr, true, false);
  } catch (const nlohmann::json::exception& e) {
    fail(std::string("header is not valid JSON: ") + e.what());
  }
  if (!j.is_object()) fail("header is not a JSON object");
  const std::span<const std::byte> data = bytes.subspan(8 + header_len);
  const auto data_size = static_cast<std::uint64_t>(data.size());
  for (const auto& item : j.items()) {
    const std::string& name = item.key();  // not a structured binding: clang 14 cannot capture one in `bad`
    const auto& entry = item.value();
    if (name == "__metadata__") continue;
    const auto bad = [&](const std::string& what) { fail("tensor '" + name + "': " + what); };
    if (!entry.is_object()) bad("entry is not an object");
    if (!entry.contains("dtype") || !entry["dtype"].is_string()) bad("missing string 'dtype'");
    if (!entry.contains("shape") || !entry["shape"].is_array()) bad("missing array 'shape'");
    if (!entry.contains("data_offsets") || !entry["data_offsets"].is_array() || entry["data_offsets"].size() != 2) {
      bad("missing 'data_offsets' [begin, end]");
    }
    TensorView t;
    t.name = name;
    t.dtype_name = entry["dtype"].get<std::string>();
    int elem_bytes = 0;
    for (const auto& d : kDtypes) {
      if (t.dtype_name == d.name) t.dtype = d.dtype, elem_bytes = d.bytes;
    }
    if (elem_bytes == 0) bad("unknown dtype '" + t.dtype_name + "' (known: " + known_dtypes() + ")");
    std::int64_t elements = 1;
    for (const auto& dim : entry["shape"]) {
      if (!dim.is_number_unsigned()) bad("shape holds a value that is not a non-negative integer");
      const auto v = dim.get<std::uint64_t>();
      if (v > (1ull << 40) || __builtin_mul_overflow(elements, static_cast<std::int64_t>(v), &elements)) {
        bad("shape " + entry["shape"].dump() + " has too many elements");
      }
      t.shape.push_back(static_cast<std::int64_t>(v));
    }
    std::int64_t need = 0;
    if (__builtin_mul_overflow(elements, static_cast<std::int64_t>(elem_bytes), &need)) {
      bad("shape " + entry["shape"].dump() + " has too many bytes");
    }
    const auto& off = entry["data_offsets"];
    if (!off[0].is_number_unsigned() || !off[1].is_number_unsigned()) bad("data_offsets are not non-negative integers");
    const auto begin = off[0].get<std::uint64_t>(), end = off[1].get<std::uint64_t>();
    if (begin > end || end > data_size) {
      bad("data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) + "] outside the data (" +
          std::to_string(data_size) + " bytes after the header)");
    }
    if (end - begin != static_cast<std::uint64_t>(need)) {
      bad("data_offsets span " + std::to_string(end - begin) + " bytes but dtype " + t.dtype_name + " and shape " +
          entry["shape"].dump() + " need " + std::to_string(need));
    }
    t.elements = elements;
    t.data = data.subspan(begin, end - begin);
    m_index.emplace(name, m_tensors.size());
    m_tensors.push_back(std::move(t));
  }
  // No two tensors may share bytes (a header that lies about its layout).
  std::vector<const TensorView*> order;
  for (const auto& t : m_tensors) {
    if (!t.data.empty()) order.push_back(&t);
  }
  std::sort(order.begin(), order.end(), [](const TensorView* a, const TensorView* b) { return a->data.data() < b->data.data(); });
  for (std::size_t i = 1; i < order.size(); ++i) {
    if (order[i]->data.data() < order[i - 1]->data.data() + order[i - 1]->data.size()) {
      fail("tensors '" + order[i - 1]->name + "' and '" + order[i]->name + "' overlap");
    }
  }
}

const TensorView* SafetensorsFile::find(std::string_view name) const {
  const auto it = m_index.find(std::string(name));
  return it == m_index.end() ? nullptr : &m_tensors[it->second];
}

float f16_to_f32(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t exp = (h >> 10) & 0x1Fu, mant = h & 0x3FFu;
  float value;
  if (exp == 0) {
    value = std::ldexp(static_cast<float>(mant), -24);  // zero or subnormal
  } else if (exp == 31) {
    value = mant == 0 ? INFINITY : NAN;
  } else {
    value = std::ldexp(static_cast<float>(mant | 0x400u), static_cast<int>(exp) - 25);
  }
  return sign != 0 ? -value : value;
}

float bf16_to_f32(std::uint16_t b) { return std::bit_cast<float>(static_cast<std::uint32_t>(b) << 16); }

std::uint16_t f32_to_bf16(float f) {
  const auto u = std::bit_cast<std::uint32_t>(f);
  if (std::isnan(f)) return static_cast<std::uint16_t>((u >> 16) | 0x40u);
  const std::uint32_t rounding = 0x7FFFu + ((u >> 16) & 1u);
  return static_cast<std::uint16_t>((u + rounding) >> 16);
}

std::uint16_t f32_to_f16(float f) {
  const auto u = std::bit_cast<std::uint32_t>(f);
  const auto sign = static_cast<std::uint16_t>((u >> 16) & 0x8000u);
  const float a = std::fabs(f);
  if (std::isnan(f)) return static_cast<std::uint16_t>(sign | 0x7E00u);
  if (a >= 65520.0f) return static_cast<std::uint16_t>(sign | 0x7C00u);  // rounds to infinity
  if (a < std::ldexp(1.0f, -14)) {
    // Subnormal: units of 2^-24, round to nearest even.
    const float units = a * std::ldexp(1.0f, 24);
    return static_cast<std::uint16_t>(sign | static_cast<std::uint16_t>(std::nearbyint(units)));
  }
  int e;
  const float m = std::frexp(a, &e);  // a = m * 2^e, m in [0.5, 1)
  // 11 significant bits: mantissa units of 2^(e - 11).
  auto sig = static_cast<std::uint32_t>(std::nearbyint(std::ldexp(m, 11)));
  if (sig == 2048) sig = 1024, ++e;
  const auto exp = static_cast<std::uint32_t>(e - 1 + 15);
  return static_cast<std::uint16_t>(sign | (exp << 10) | (sig & 0x3FFu));
}

void check_weight_dtype(const TensorView& tensor, const std::filesystem::path& file) {
  if (tensor.dtype != TensorDtype::F32 && tensor.dtype != TensorDtype::F16 && tensor.dtype != TensorDtype::BF16) {
    throw ModelFileError(file, "tensor '" + tensor.name + "' has dtype " + tensor.dtype_name +
                                   "; weights must be F32, F16 or BF16");
  }
}

void tensor_elements_to_f32(const TensorView& tensor, const std::filesystem::path& file, std::int64_t first,
                            std::int64_t stride, std::span<float> out) {
  check_weight_dtype(tensor, file);
  const auto n = static_cast<std::int64_t>(out.size());
  if (n > 0 && (first < 0 || first + (n - 1) * stride >= tensor.elements)) {
    throw std::out_of_range("tensor_elements_to_f32: elements outside tensor '" + tensor.name + "'");
  }
  const std::byte* p = tensor.data.data();
  if (tensor.dtype == TensorDtype::F32) {
    if (stride == 1) {
      std::memcpy(out.data(), p + 4 * first, static_cast<std::size_t>(4 * n));
    } else {
      for (std::int64_t i = 0; i < n; ++i) std::memcpy(&out[static_cast<std::size_t>(i)], p + 4 * (first + i * stride), 4);
    }
  } else {
    const bool half = tensor.dtype == TensorDtype::F16;
    for (std::int64_t i = 0; i < n; ++i) {
      std::uint16_t v;
      std::memcpy(&v, p + 2 * (first + i * stride), 2);
      out[static_cast<std::size_t>(i)] = half ? f16_to_f32(v) : bf16_to_f32(v);
    }
  }
  for (std::int64_t i = 0; i < n; ++i) {
    if (!std::isfinite(out[static_cast<std::size_t>(i)])) {
      throw ModelFileError(file, "tensor '" + tensor.name + "' holds a non-finite value at index " +
                                     std::to_string(first + i * stride));
    }
  }
}

void tensor_to_f32(const TensorView& tensor, const std::filesystem::path& file, std::span<float> out) {
  if (static_cast<std::int64_t>(out.size()) != tensor.elements) {
    throw ModelFileError(file, "tensor '" + tensor.name + "': " + std::to_string(tensor.elements) +
                                   " elements, expected " + std::to_string(out.size()));
  }
  const std::byte* p = tensor.data.data();
  const auto n = static_cast<std::size_t>(tensor.elements);
  switch (tensor.dtype) {
    case TensorDtype::F32:
      std::memcpy(out.data(), p, 4 * n);
      break;
    case TensorDtype::F16:
    case TensorDtype::BF16: {
      const bool half = tensor.dtype == TensorDtype::F16;
      for (std::size_t i = 0; i < n; ++i) {
        std::uint16_t v;
        std::memcpy(&v, p + 2 * i, 2);
        out[i] = half ? f16_to_f32(v) : bf16_to_f32(v);
      }
      break;
    }
    default:
      throw ModelFileError(file, "tensor '" + tensor.name + "' has dtype " + tensor.dtype_name +
                                     "; weights must be F32, F16 or BF16");
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(out[i])) {
      throw ModelFileError(file, "tensor '" + tensor.name + "' holds a non-finite value at index " + std::to_string(i));
    }
  }
}

}  // namespace saffire::models::llm
