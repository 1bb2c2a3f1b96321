// TraceWriter (see trace_writer.hpp).
#include "traces/trace_writer.hpp"

#include <H5Cpp.h>

#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include "traces/decision_row_type.hpp"
#include "traces/fault_row_type.hpp"
#include "traces/gemm_row_type.hpp"
#include "traces/h5_support.hpp"
#include "traces/memory_row_type.hpp"
#include "traces/point_row_type.hpp"
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

// The command record (schema version 5): "/command_line" with the argv strings and the attribute
// cwd, and the group "/inputs" with one dataset per input file ("0", "1", ...: its bytes as uint8
// when embedded, else no elements) carrying the file's path, resolved path, source, size, hash and
// embedded flag as attributes.
void write_command_record(const H5::H5File& file, const RunInfo& info) {
  H5::StrType text(H5::PredType::C_S1, H5T_VARIABLE);
  text.setCset(H5T_CSET_UTF8);
  const hsize_t argc = info.argv.size();
  const H5::DataSet argv = file.createDataSet(kCommandLineDataset, text, H5::DataSpace(1, &argc));
  if (argc > 0) {
    std::vector<const char*> strings;
    strings.reserve(info.argv.size());
    for (const std::string& a : info.argv) {
      strings.push_back(a.c_str());
    }
    argv.write(strings.data(), text);
  }
  detail::write_string_attr(argv, kCommandLineAttrCwd, info.cwd);
  const H5::Group inputs = file.createGroup(kInputsGroup);
  for (std::size_t i = 0; i < info.inputs.size(); ++i) {
    const InputFile& in = info.inputs[i];
    const hsize_t bytes = in.embedded ? in.content.size() : 0;
    const H5::DataSet d =
        inputs.createDataSet(std::to_string(i), H5::PredType::STD_U8LE, H5::DataSpace(1, &bytes));
    if (bytes > 0) {
      d.write(in.content.data(), H5::PredType::NATIVE_UINT8);
    }
    detail::write_string_attr(d, kInputAttrPath, in.path);
    detail::write_string_attr(d, kInputAttrResolved, in.resolved);
    detail::write_string_attr(d, kInputAttrSource, in.source);
    detail::write_uint64_attr(d, kInputAttrSize, in.size);
    detail::write_string_attr(d, kInputAttrHash, in.hash);
    detail::write_int32_attr(d, kInputAttrEmbedded, in.embedded ? 1 : 0);
  }
}

// An empty 1-D table that grows by appends.
H5::DataSet create_table(const H5::H5File& file, const char* name, const H5::CompType& type, hsize_t chunk_rows) {
  const hsize_t initial = 0;
  const hsize_t unlimited = H5S_UNLIMITED;
  const H5::DataSpace space(1, &initial, &unlimited);
  H5::DSetCreatPropList props;
  props.setChunk(1, &chunk_rows);  // chunked storage is what makes the dataset extensible
  return file.createDataSet(name, type, space, props);
}

H5::DSetMemXferPropList conversion_buffer(std::size_t bytes) {
  H5::DSetMemXferPropList xfer;
  xfer.setBuffer(bytes, nullptr, nullptr);
  return xfer;
}

// Extends the 1-D `table` from `rows_before` rows by `count` and writes `data` (count rows of
// `memory_type`) into the new rows.
void append_rows(H5::DataSet& table, hsize_t rows_before, hsize_t count, const void* data,
                 const H5::CompType& memory_type, const H5::DSetMemXferPropList& xfer) {
  const hsize_t new_size = rows_before + count;
  table.extend(&new_size);
  H5::DataSpace file_space = table.getSpace();
  file_space.selectHyperslab(H5S_SELECT_SET, &count, &rows_before);
  const H5::DataSpace memory_space(1, &count);
  table.write(data, memory_type, memory_space, file_space, xfer);
}

// Opens the existing table `name` of `file` for appending and returns its row count in `rows`.
// Throws TraceError naming `path` if the table is missing, not a 1-D extensible compound table, or
// lacks a column (`check`).
H5::DataSet open_table(const H5::H5File& file, const std::filesystem::path& path, const char* name,
                       void (*check)(const H5::CompType&, const std::filesystem::path&), std::size_t& rows) {
  if (!file.nameExists(name)) {
    throw detail::trace_error(path, std::string("cannot append: missing dataset '") + name + "'");
  }
  H5::DataSet table = file.openDataSet(name);
  if (table.getTypeClass() != H5T_COMPOUND) {
    throw detail::trace_error(path, std::string("cannot append: dataset '") + name + "' is not a compound table");
  }
  check(table.getCompType(), path);
  const H5::DataSpace space = table.getSpace();
  if (space.getSimpleExtentNdims() != 1) {
    throw detail::trace_error(path, std::string("cannot append: dataset '") + name + "' is not one-dimensional");
  }
  hsize_t count = 0;
  hsize_t max_count = 0;
  space.getSimpleExtentDims(&count, &max_count);
  if (max_count != H5S_UNLIMITED) {
    throw detail::trace_error(path, std::string("cannot append: dataset '") + name + "' is not extensible");
  }
  rows = static_cast<std::size_t>(count);
  return table;
}

}  // namespace

struct TraceWriter::Impl {
  H5::H5File file;
  H5::DataSet gemms;
  H5::DataSet faults;
  H5::DataSet decisions;
  H5::DataSet points;
  H5::DataSet memory;
  H5::CompType gemm_memory_type = detail::gemm_row_memory_type();
  H5::CompType fault_memory_type = detail::fault_row_memory_type();
  H5::CompType decision_memory_type = detail::decision_row_memory_type();
  H5::CompType point_memory_type = detail::point_row_memory_type();
  H5::CompType memory_memory_type = detail::memory_row_memory_type();
  // Writes with a small conversion buffer: HDF5 zero-fills its whole type-conversion buffer (1 MiB
  // by default) on every write of a compound with strings, which made each one-row append cost
  // ~1 ms. 4 KiB holds a GEMM row many times over; fault, decision and point batches convert in
  // 64 KiB strips.
  H5::DSetMemXferPropList append_xfer = conversion_buffer(4096);
  H5::DSetMemXferPropList batch_xfer = conversion_buffer(64 * 1024);
};

TraceWriter::TraceWriter(const std::filesystem::path& path, const RunInfo& info) : m_path(path) {
  detail::quiet_hdf5_errors();
  std::string step = "cannot create file";
  try {
    auto impl = std::make_unique<Impl>();
    impl->file = H5::H5File(path.string(), H5F_ACC_TRUNC, H5::FileCreatPropList::DEFAULT, detail::latest_format_access());
    step = "cannot write root attributes";
    write_run_info(impl->file.openGroup("/"), info);
    step = "cannot write the command record";
    write_command_record(impl->file, info);
    step = std::string("cannot create dataset '") + kGemmsDataset + "'";
    impl->gemms = create_table(impl->file, kGemmsDataset, detail::gemm_row_file_type(), kGemmsChunkRows);
    step = std::string("cannot create dataset '") + kFaultsDataset + "'";
    impl->faults = create_table(impl->file, kFaultsDataset, detail::fault_row_file_type(), kFaultsChunkRows);
    step = std::string("cannot create dataset '") + kDecisionsDataset + "'";
    impl->decisions =
        create_table(impl->file, kDecisionsDataset, detail::decision_row_file_type(), kDecisionsChunkRows);
    step = std::string("cannot create dataset '") + kPointsDataset + "'";
    impl->points = create_table(impl->file, kPointsDataset, detail::point_row_file_type(), kPointsChunkRows);
    step = std::string("cannot create dataset '") + kMemoryDataset + "'";
    impl->memory = create_table(impl->file, kMemoryDataset, detail::memory_row_file_type(), kMemoryChunkRows);
    step = "cannot flush";
    impl->file.flush(H5F_SCOPE_LOCAL);
    // Every object exists now: from here on appends only extend the tables, and readers may open the file
    // while it is written (SWMR); a kill -9 leaves every flushed row readable.
    step = "cannot start SWMR writing";
    detail::start_swmr_write(impl->file);
    m_impl = std::move(impl);
  } catch (const H5::Exception& e) {
    throw detail::h5_error(path, step, e);
  }
}

TraceWriter TraceWriter::append(const std::filesystem::path& path) { return TraceWriter(path, AppendTag{}); }

TraceWriter::TraceWriter(const std::filesystem::path& path, AppendTag) : m_path(path) {
  detail::quiet_hdf5_errors();
  detail::check_hdf5_file(path);
  std::string step = "cannot open for appending";
  try {
    auto impl = std::make_unique<Impl>();
    impl->file = H5::H5File(path.string(), H5F_ACC_RDWR, H5::FileCreatPropList::DEFAULT, detail::resume_access());
    step = "cannot read root attributes";
    const H5::Group root = impl->file.openGroup("/");
    detail::check_schema_name(root, path);
    const std::int64_t version = detail::read_int_attr(root, kAttrSchemaVersion, path);
    if (version != kSchemaVersion) {
      throw detail::trace_error(path, "cannot append to a file of schema_version " + std::to_string(version) +
                                          ": appending needs the current schema_version " +
                                          std::to_string(kSchemaVersion) + " (write a new file instead)");
    }
    step = "cannot open the tables for appending";
    impl->gemms = open_table(impl->file, path, kGemmsDataset, detail::check_gemm_columns, m_gemm_count);
    impl->faults = open_table(impl->file, path, kFaultsDataset, detail::check_fault_columns, m_fault_count);
    impl->decisions = open_table(impl->file, path, kDecisionsDataset, detail::check_decision_columns, m_decision_count);
    impl->points = open_table(impl->file, path, kPointsDataset, detail::check_point_columns, m_point_count);
    impl->memory = open_table(impl->file, path, kMemoryDataset, detail::check_memory_columns, m_memory_count);
    step = "cannot start SWMR writing";
    detail::start_swmr_write(impl->file);
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
    m_fault_count = other.m_fault_count;
    m_decision_count = other.m_decision_count;
    m_point_count = other.m_point_count;
    m_memory_count = other.m_memory_count;
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
    const detail::GemmRow data = detail::to_row(r);
    append_rows(m_impl->gemms, m_gemm_count, 1, &data, m_impl->gemm_memory_type, m_impl->append_xfer);
    // Flush per row: a crash or Ctrl-C later keeps every row appended so far.
    m_impl->file.flush(H5F_SCOPE_LOCAL);
    ++m_gemm_count;
  } catch (const H5::Exception& e) {
    throw detail::h5_error(
        m_path, "cannot append row " + std::to_string(m_gemm_count) + " ('" + r.name + "') to " + kGemmsDataset, e);
  }
}

void TraceWriter::append_faults(const std::vector<FaultRecord>& rows) {
  if (!m_impl) {
    throw detail::trace_error(m_path, "append_faults on a closed TraceWriter");
  }
  if (rows.empty()) {
    return;
  }
  try {
    std::vector<detail::FaultRow> data;
    data.reserve(rows.size());
    for (const FaultRecord& r : rows) {
      data.push_back(detail::to_row(r));
    }
    append_rows(m_impl->faults, m_fault_count, data.size(), data.data(), m_impl->fault_memory_type, m_impl->batch_xfer);
    m_impl->file.flush(H5F_SCOPE_LOCAL);
    m_fault_count += rows.size();
  } catch (const H5::Exception& e) {
    throw detail::h5_error(m_path,
                           "cannot append " + std::to_string(rows.size()) + " rows after row " +
                               std::to_string(m_fault_count) + " to " + kFaultsDataset,
                           e);
  }
}

void TraceWriter::append_decisions(const std::vector<DecisionRecord>& rows) {
  if (!m_impl) {
    throw detail::trace_error(m_path, "append_decisions on a closed TraceWriter");
  }
  if (rows.empty()) {
    return;
  }
  try {
    std::vector<detail::DecisionRow> data;
    data.reserve(rows.size());
    for (const DecisionRecord& r : rows) {
      data.push_back(detail::to_row(r));
    }
    append_rows(m_impl->decisions, m_decision_count, data.size(), data.data(), m_impl->decision_memory_type,
                m_impl->batch_xfer);
    m_impl->file.flush(H5F_SCOPE_LOCAL);
    m_decision_count += rows.size();
  } catch (const H5::Exception& e) {
    throw detail::h5_error(m_path,
                           "cannot append " + std::to_string(rows.size()) + " rows after row " +
                               std::to_string(m_decision_count) + " to " + kDecisionsDataset,
                           e);
  }
}

void TraceWriter::append_points(const std::vector<PointRecord>& rows) {
  if (!m_impl) {
    throw detail::trace_error(m_path, "append_points on a closed TraceWriter");
  }
  if (rows.empty()) {
    return;
  }
  try {
    std::vector<detail::PointRow> data;
    data.reserve(rows.size());
    for (const PointRecord& r : rows) {
      data.push_back(detail::to_row(r));
    }
    append_rows(m_impl->points, m_point_count, data.size(), data.data(), m_impl->point_memory_type, m_impl->batch_xfer);
    m_impl->file.flush(H5F_SCOPE_LOCAL);
    m_point_count += rows.size();
  } catch (const H5::Exception& e) {
    throw detail::h5_error(m_path,
                           "cannot append " + std::to_string(rows.size()) + " rows after row " +
                               std::to_string(m_point_count) + " to " + kPointsDataset,
                           e);
  }
}

void TraceWriter::append_memory(const std::vector<MemoryRecord>& rows) {
  if (!m_impl) {
    throw detail::trace_error(m_path, "append_memory on a closed TraceWriter");
  }
  if (rows.empty()) {
    return;
  }
  try {
    std::vector<detail::MemoryRow> data;
    data.reserve(rows.size());
    for (const MemoryRecord& r : rows) {
      data.push_back(detail::to_row(r));
    }
    append_rows(m_impl->memory, m_memory_count, data.size(), data.data(), m_impl->memory_memory_type,
                m_impl->batch_xfer);
    m_impl->file.flush(H5F_SCOPE_LOCAL);
    m_memory_count += rows.size();
  } catch (const H5::Exception& e) {
    throw detail::h5_error(m_path,
                           "cannot append " + std::to_string(rows.size()) + " rows after row " +
                               std::to_string(m_memory_count) + " to " + kMemoryDataset,
                           e);
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
    impl->faults.close();
    impl->decisions.close();
    impl->points.close();
    impl->memory.close();
    impl->file.close();
  } catch (const H5::Exception& e) {
    throw detail::h5_error(m_path, "cannot close", e);
  }
}

}  // namespace saffire::traces
