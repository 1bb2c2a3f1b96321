// TraceWriter (see trace_writer.hpp).
#include "traces/trace_writer.hpp"

#include <H5Cpp.h>

#include <ctime>
#include <string>

#include "traces/gemm_row_type.hpp"
#include "traces/h5_support.hpp"
#include "traces/schema.hpp"

namespace saffire::traces {
namespace {

std::string utc_now_iso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

void write_run_info(const H5::Group& root, const RunInfo& info) {
  detail::write_string_attr(root, kAttrSchema, kSchemaName);
  detail::write_int32_attr(root, kAttrSchemaVersion, kSchemaVersion);
  detail::write_string_attr(root, kAttrCommand, info.command);
  detail::write_string_attr(root, kAttrConfigToml, info.config_toml);
  detail::write_uint64_attr(root, kAttrSeed, info.seed);
  detail::write_string_attr(root, kAttrSaffireVersion, info.saffire_version);
  detail::write_string_attr(root, kAttrCreatedUtc, info.created_utc.empty() ? utc_now_iso8601() : info.created_utc);
}

H5::DataSet create_gemms(const H5::H5File& file) {
  const hsize_t initial = 0;
  const hsize_t unlimited = H5S_UNLIMITED;
  const H5::DataSpace space(1, &initial, &unlimited);
  H5::DSetCreatPropList props;
  const hsize_t chunk = kGemmsChunkRows;
  props.setChunk(1, &chunk);  // chunked storage is what makes the dataset extensible
  return file.createDataSet(kGemmsDataset, detail::gemm_row_file_type(), space, props);
}

H5::DSetMemXferPropList small_conversion_buffer() {
  constexpr std::size_t kAppendBufferBytes = 4096;
  H5::DSetMemXferPropList xfer;
  xfer.setBuffer(kAppendBufferBytes, nullptr, nullptr);
  return xfer;
}

}  // namespace

struct TraceWriter::Impl {
  H5::H5File file;
  H5::DataSet gemms;
  H5::CompType gemm_memory_type = detail::gemm_row_memory_type();
  // One-row writes with a small conversion buffer: HDF5 zero-fills its whole type-conversion
  // buffer (1 MiB by default) on every write of a compound with strings, which made each append
  // cost ~1 ms; kAppendBufferBytes holds a row many times over.
  H5::DSetMemXferPropList append_xfer = small_conversion_buffer();
};

TraceWriter::TraceWriter(const std::filesystem::path& path, const RunInfo& info) : m_path(path) {
  detail::quiet_hdf5_errors();
  std::string step = "cannot create file";
  try {
    auto impl = std::make_unique<Impl>();
    impl->file = H5::H5File(path.string(), H5F_ACC_TRUNC);
    step = "cannot write root attributes";
    write_run_info(impl->file.openGroup("/"), info);
    step = std::string("cannot create dataset '") + kGemmsDataset + "'";
    impl->gemms = create_gemms(impl->file);
    step = "cannot flush";
    impl->file.flush(H5F_SCOPE_LOCAL);
    m_impl = std::move(impl);
  } catch (const H5::Exception& e) {
    throw detail::h5_error(path, step, e);
  }
}

TraceWriter::TraceWriter(TraceWriter&&) noexcept = default;

TraceWriter& TraceWriter::operator=(TraceWriter&& other) noexcept {
  if (this != &other) {
    try {
      close();
    } catch (...) {  // noexcept: a failed close of the replaced file cannot be reported here
    }
    m_path = std::move(other.m_path);
    m_gemm_count = other.m_gemm_count;
    m_impl = std::move(other.m_impl);
  }
  return *this;
}

TraceWriter::~TraceWriter() {
  try {
    close();
  } catch (...) {  // destructors must not throw; close() explicitly to see close errors
  }
}

bool TraceWriter::is_open() const { return m_impl != nullptr; }

void TraceWriter::append_gemm(const GemmRecord& r) {
  if (!m_impl) {
    throw detail::trace_error(m_path, "append_gemm on a closed TraceWriter");
  }
  try {
    const hsize_t row = m_gemm_count;
    const hsize_t one = 1;
    const hsize_t new_size = row + 1;
    m_impl->gemms.extend(&new_size);
    H5::DataSpace file_space = m_impl->gemms.getSpace();
    file_space.selectHyperslab(H5S_SELECT_SET, &one, &row);
    const H5::DataSpace memory_space(1, &one);
    const detail::GemmRow data = detail::to_row(r);
    m_impl->gemms.write(&data, m_impl->gemm_memory_type, memory_space, file_space, m_impl->append_xfer);
    // Flush per row: a crash or Ctrl-C later keeps every row appended so far.
    m_impl->file.flush(H5F_SCOPE_LOCAL);
    ++m_gemm_count;
  } catch (const H5::Exception& e) {
    throw detail::h5_error(
        m_path, "cannot append row " + std::to_string(m_gemm_count) + " ('" + r.name + "') to " + kGemmsDataset, e);
  }
}

void TraceWriter::close() {
  if (!m_impl) {
    return;
  }
  // Release the handles even if HDF5 fails: a second close() must not retry a broken file.
  const std::unique_ptr<Impl> impl = std::move(m_impl);
  try {
    impl->file.flush(H5F_SCOPE_LOCAL);
    impl->gemms.close();
    impl->file.close();
  } catch (const H5::Exception& e) {
    throw detail::h5_error(m_path, "cannot close", e);
  }
}

}  // namespace saffire::traces
