// TraceReader (see trace_reader.hpp).
#include "traces/trace_reader.hpp"

#include <H5Cpp.h>

#include <string>
#include <vector>

#include "traces/decision_row_type.hpp"
#include "traces/fault_row_type.hpp"
#include "traces/gemm_row_type.hpp"
#include "traces/h5_support.hpp"
#include "traces/isolated_read.hpp"
#include "traces/memory_row_type.hpp"
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

// The command record of a version-5 file: "/command_line" (argv, attribute cwd) and "/inputs".
void read_command_record(const H5::H5File& file, const std::filesystem::path& path, RunInfo& info) {
  if (!file.nameExists(kCommandLineDataset)) {
    throw detail::trace_error(path, std::string("missing dataset '") + kCommandLineDataset + "'");
  }
  const H5::DataSet argv = file.openDataSet(kCommandLineDataset);
  const H5::DataSpace space = argv.getSpace();
  if (argv.getTypeClass() != H5T_STRING || space.getSimpleExtentNdims() != 1) {
    throw detail::trace_error(path, std::string("dataset '") + kCommandLineDataset +
                                        "' is not a one-dimensional array of strings");
  }
  hsize_t argc = 0;
  space.getSimpleExtentDims(&argc);
  detail::check_fits_in_file(argv, argc, argv.getDataType().getSize(), path,
                             std::string("dataset '") + kCommandLineDataset + "'");
  if (argc > 0) {
    const H5::StrType text(H5::PredType::C_S1, H5T_VARIABLE);
    if (!argv.getStrType().isVariableStr()) {
      throw detail::trace_error(path, std::string("dataset '") + kCommandLineDataset +
                                          "' does not hold variable-length strings");
    }
    std::vector<char*> strings(argc, nullptr);
    argv.read(strings.data(), text);
    for (char* s : strings) {
      info.argv.emplace_back(s != nullptr ? s : "");
    }
    H5::DataSet::vlenReclaim(strings.data(), text, space);
  }
  info.cwd = detail::read_string_attr(argv, kCommandLineAttrCwd, path, std::string("'") + kCommandLineDataset + "'");

  if (!file.nameExists(kInputsGroup)) {
    throw detail::trace_error(path, std::string("missing group '") + kInputsGroup + "'");
  }
  const H5::Group inputs = file.openGroup(kInputsGroup);
  const hsize_t count = inputs.getNumObjs();
  for (hsize_t i = 0; i < count; ++i) {
    const std::string name = std::to_string(i);
    const std::string where = std::string("'") + kInputsGroup + "/" + name + "'";
    if (!inputs.nameExists(name)) {
      throw detail::trace_error(path, "missing dataset " + where + " (the inputs are numbered from 0)");
    }
    const H5::DataSet d = inputs.openDataSet(name);
    InputFile in;
    in.path = detail::read_string_attr(d, kInputAttrPath, path, where);
    in.resolved = detail::read_string_attr(d, kInputAttrResolved, path, where);
    in.source = detail::read_string_attr(d, kInputAttrSource, path, where);
    in.size = detail::read_uint64_attr(d, kInputAttrSize, path, where);
    in.hash = detail::read_string_attr(d, kInputAttrHash, path, where);
    in.embedded = detail::read_int_attr(d, kInputAttrEmbedded, path, where) != 0;
    const H5::DataSpace bytes_space = d.getSpace();
    if (d.getTypeClass() != H5T_INTEGER || d.getDataType().getSize() != 1 || bytes_space.getSimpleExtentNdims() != 1) {
      throw detail::trace_error(path, "dataset " + where + " is not a one-dimensional array of bytes");
    }
    hsize_t bytes = 0;
    bytes_space.getSimpleExtentDims(&bytes);
    detail::check_fits_in_file(d, bytes, 1, path, "dataset " + where);
    if (in.embedded) {
      if (bytes != in.size) {
        throw detail::trace_error(path, "dataset " + where + " holds " + std::to_string(bytes) +
                                            " bytes, but its size attribute says " + std::to_string(in.size));
      }
      in.content.resize(static_cast<std::size_t>(bytes));
      if (bytes > 0) {
        d.read(in.content.data(), H5::PredType::NATIVE_UINT8);
      }
    }
    info.inputs.push_back(std::move(in));
  }
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
    detail::check_fits_in_file(dataset, count, dataset.getDataType().getSize(), path,
                               std::string("dataset '") + name + "'");
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
  probe_in_child(path);
  open();
}

TraceReader::TraceReader(const std::filesystem::path& path, InProcessTag) : m_path(path) {
  detail::quiet_hdf5_errors();
  detail::check_hdf5_file(path);
  open();
}

void TraceReader::open() {
  const std::filesystem::path& path = m_path;
  try {
    auto impl = std::make_unique<Impl>();
    impl->file = detail::open_for_reading(path);  // SWMR: a file being written opens too
    const H5::Group root = impl->file.openGroup("/");
    m_schema_version = check_schema(root, path);
    m_run_info = read_run_info(root, path);
    if (m_schema_version >= kCommandSinceVersion) {
      read_command_record(impl->file, path, m_run_info);
    }
    m_impl = std::move(impl);
  } catch (const H5::Exception& e) {
    throw detail::h5_error(path, "cannot open as a trace", e);
  }
}

void TraceReader::probe_in_child(const std::filesystem::path& path) {
  detail::run_isolated(path, [&path] {
    const TraceReader reader(path, InProcessTag{});
    // A table's own TraceError (missing, wrong columns, too many rows) is left for its accessor to
    // report in the parent, where the other tables stay readable; only crashes and hangs matter here.
    const auto attempt = [](const auto& read_table) {
      try {
        (void)read_table();
      } catch (const TraceError&) {
      }
    };
    attempt([&] { return reader.gemms(); });
    attempt([&] { return reader.faults(); });
    attempt([&] { return reader.decisions(); });
    attempt([&] { return reader.points(); });
    attempt([&] { return reader.memory(); });
  });
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

std::vector<MemoryRecord> TraceReader::memory() const {
  if (!m_impl) {
    throw detail::trace_error(m_path, "memory() on a moved-from TraceReader");
  }
  if (m_schema_version < kMemorySinceVersion) {
    return {};
  }
  return read_table<MemoryRecord, detail::MemoryRow>(m_impl->file, m_path, kMemoryDataset,
                                                     detail::memory_row_memory_type(), detail::check_memory_columns);
}

}  // namespace saffire::traces
