// TraceReader (see trace_reader.hpp).
#include "traces/trace_reader.hpp"

#include <H5Cpp.h>

#include <string>
#include <vector>

#include "traces/decision_row_type.hpp"
#include "traces/fault_row_type.hpp"
#include "traces/gemm_row_type.hpp"
#include "traces/h5_support.hpp"
#include "traces/point_row_type.hpp"
#include "traces/schema.hpp"

namespace saffire::traces {
namespace {

// Returns the schema version after checking the file is a saffire trace this reader understands.
int check_schema(const H5::Group& root, const std::filesystem::path& path) {
  detail::check_schema_name(root, path);
  const std::int64_t version = detail::read_int_attr(root, kAttrSchemaVersion, path);
  if (version > kSchemaVersion) {
    throw detail::trace_error(path, "schema_version " + std::to_string(version) + " is newer than this reader (" +
                                        std::to_string(kSchemaVersion) + "); use a newer saffire");
  }
  if (version < 1) {
    throw detail::trace_error(path, "invalid schema_version " + std::to_string(version));
  }
  return static_cast<int>(version);
}

RunInfo read_run_info(const H5::Group& root, const std::filesystem::path& path) {
  RunInfo info;
  info.command = detail::read_string_attr(root, kAttrCommand, path);
  info.config_toml = detail::read_string_attr(root, kAttrConfigToml, path);
  info.seed = detail::read_uint64_attr(root, kAttrSeed, path);
  info.saffire_version = detail::read_string_attr(root, kAttrSaffireVersion, path);
  info.created_utc = detail::read_string_attr(root, kAttrCreatedUtc, path);
  return info;
}

// Frees the strings HDF5 allocated into a read buffer, also when converting them throws.
class VlenGuard {
 public:
  VlenGuard(void* buf, const H5::DataType& type, const H5::DataSpace& space)
      : m_buf(buf), m_type(type), m_space(space) {}
  ~VlenGuard() {
    try {
      H5::DataSet::vlenReclaim(m_buf, m_type, m_space);
    } catch (...) {  // nothing useful to do with a failed free in a destructor
    }
  }
  VlenGuard(const VlenGuard&) = delete;
  VlenGuard& operator=(const VlenGuard&) = delete;

 private:
  void* m_buf;
  const H5::DataType& m_type;
  const H5::DataSpace& m_space;
};

// Every row of the 1-D compound table `name`, converted by detail::from_row. `check` throws if the
// stored type lacks a column of this version. The memory type names only this version's columns:
// HDF5 matches members by name, so columns added by newer writers are skipped.
template <typename Record, typename Row>
std::vector<Record> read_table(const H5::H5File& file, const std::filesystem::path& path, const char* name,
                               const H5::CompType& memory_type,
                               void (*check)(const H5::CompType&, const std::filesystem::path&)) {
  try {
    if (!file.nameExists(name)) {
      throw detail::trace_error(path, std::string("missing dataset '") + name + "'");
    }
    const H5::DataSet dataset = file.openDataSet(name);
    if (dataset.getTypeClass() != H5T_COMPOUND) {
      throw detail::trace_error(path, std::string("dataset '") + name + "' is not a compound table");
    }
    check(dataset.getCompType(), path);
    const H5::DataSpace file_space = dataset.getSpace();
    if (file_space.getSimpleExtentNdims() != 1) {
      throw detail::trace_error(path, std::string("dataset '") + name + "' is not one-dimensional");
    }
    hsize_t count = 0;
    file_space.getSimpleExtentDims(&count);
    std::vector<Record> records;
    if (count == 0) {
      return records;
    }
    const H5::DataSpace memory_space(1, &count);
    std::vector<Row> rows(count, Row{});
    dataset.read(rows.data(), memory_type, memory_space, file_space);
    const VlenGuard free_strings(rows.data(), memory_type, memory_space);
    records.reserve(rows.size());
    for (const Row& row : rows) {
      records.push_back(detail::from_row(row));
    }
    return records;
  } catch (const H5::Exception& e) {
    throw detail::h5_error(path, std::string("cannot read dataset '") + name + "'", e);
  }
}

}  // namespace

struct TraceReader::Impl {
  H5::H5File file;
};

TraceReader::TraceReader(const std::filesystem::path& path) : m_path(path) {
  detail::quiet_hdf5_errors();
  detail::check_hdf5_file(path);
  try {
    auto impl = std::make_unique<Impl>();
    impl->file = H5::H5File(path.string(), H5F_ACC_RDONLY);
    const H5::Group root = impl->file.openGroup("/");
    m_schema_version = check_schema(root, path);
    m_run_info = read_run_info(root, path);
    m_impl = std::move(impl);
  } catch (const H5::Exception& e) {
    throw detail::h5_error(path, "cannot open as a trace", e);
  }
}

TraceReader::TraceReader(TraceReader&&) noexcept = default;
TraceReader& TraceReader::operator=(TraceReader&&) noexcept = default;
TraceReader::~TraceReader() = default;

std::vector<GemmRecord> TraceReader::gemms() const {
  if (!m_impl) {
    throw detail::trace_error(m_path, "gemms() on a moved-from TraceReader");
  }
  return read_table<GemmRecord, detail::GemmRow>(m_impl->file, m_path, kGemmsDataset, detail::gemm_row_memory_type(),
                                                 detail::check_gemm_columns);
}

std::vector<FaultRecord> TraceReader::faults() const {
  if (!m_impl) {
    throw detail::trace_error(m_path, "faults() on a moved-from TraceReader");
  }
  if (m_schema_version < kFaultsSinceVersion) {
    return {};
  }
  return read_table<FaultRecord, detail::FaultRow>(m_impl->file, m_path, kFaultsDataset,
                                                   detail::fault_row_memory_type(), detail::check_fault_columns);
}

std::vector<DecisionRecord> TraceReader::decisions() const {
  if (!m_impl) {
    throw detail::trace_error(m_path, "decisions() on a moved-from TraceReader");
  }
  if (m_schema_version < kDecisionsSinceVersion) {
    return {};
  }
  return read_table<DecisionRecord, detail::DecisionRow>(
      m_impl->file, m_path, kDecisionsDataset, detail::decision_row_memory_type(), detail::check_decision_columns);
}

std::vector<PointRecord> TraceReader::points() const {
  if (!m_impl) {
    throw detail::trace_error(m_path, "points() on a moved-from TraceReader");
  }
  if (m_schema_version < kPointsSinceVersion) {
    return {};
  }
  return read_table<PointRecord, detail::PointRow>(m_impl->file, m_path, kPointsDataset,
                                                   detail::point_row_memory_type(), detail::check_point_columns);
}

}  // namespace saffire::traces
