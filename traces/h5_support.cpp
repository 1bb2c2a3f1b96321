// HDF5 error handling and root-attribute helpers (see h5_support.hpp).
#include "traces/h5_support.hpp"

#include <algorithm>
#include <cstdint>
#include <system_error>
#include <utility>

#include "traces/schema.hpp"

namespace saffire::traces::detail {
namespace {

// Why the last HDF5 call failed, recorded by on_hdf5_error. The C++ wrapper's own message only
// says "H5Fcreate failed"; the reason ("unable to open file ... errno = 2") is on HDF5's error
// stack, which the destructors of HDF5 handles clear while the exception unwinds, so it is
// captured when the failing call returns instead of in the catch block.
struct LastFailure {
  std::string api;     // outermost entry: the public API function that failed, e.g. "H5Fcreate"
  std::string reason;  // innermost entry: where the error was detected, and why
};
thread_local LastFailure g_last_failure;

herr_t keep_ends(unsigned n, const H5E_error2_t* err, void* out) {
  auto* failure = static_cast<LastFailure*>(out);
  if (err->desc != nullptr && n == 0) {
    failure->reason = err->desc;
  }
  if (err->func_name != nullptr) {
    failure->api = err->func_name;  // the walk goes upward, so the last one is the API function
  }
  return 0;
}

// Installed in place of HDF5's default handler (which prints the stack to stderr).
herr_t on_hdf5_error(hid_t stack, void*) {
  LastFailure failure;
  H5Ewalk2(stack, H5E_WALK_UPWARD, keep_ends, &failure);
  g_last_failure = std::move(failure);
  return 0;
}

std::string quoted(const std::filesystem::path& file) { return "trace file '" + file.string() + "'"; }

// "root attribute 'x'" or "attribute 'x' of '/inputs/0'".
std::string attr_name(const char* name, const std::string& owner) {
  return owner == "root" ? std::string("root attribute '") + name + "'"
                         : std::string("attribute '") + name + "' of " + owner;
}

H5::Attribute open_attr(const H5::H5Object& object, const char* name, const std::filesystem::path& file,
                        const std::string& owner) {
  if (!object.attrExists(name)) {
    throw trace_error(file, "missing " + attr_name(name, owner));
  }
  return object.openAttribute(name);
}

void require_class(const H5::Attribute& attr, H5T_class_t wanted, const char* name, const char* kind,
                   const std::filesystem::path& file, const std::string& owner) {
  if (attr.getTypeClass() != wanted || attr.getSpace().getSimpleExtentNpoints() != 1) {
    throw trace_error(file, attr_name(name, owner) + " is not a scalar " + kind);
  }
}

}  // namespace

void quiet_hdf5_errors() {
  // Like H5::Exception::dontPrint(), which sets no handler, but keeps the reason for h5_error.
  H5Eset_auto2(H5E_DEFAULT, on_hdf5_error, nullptr);
}

TraceError h5_error(const std::filesystem::path& file, std::string_view what, const H5::Exception& e) {
  // Use the recorded reason only if it belongs to the call this exception reports (the C++
  // wrapper names it, e.g. "H5Fcreate failed"); otherwise it is stale.
  std::string reason = e.getDetailMsg();
  const LastFailure& last = g_last_failure;
  if (!last.api.empty() && !last.reason.empty() && reason.find(last.api) != std::string::npos) {
    reason = last.reason + " (" + reason + ")";
  }
  g_last_failure = LastFailure{};
  return TraceError(quoted(file) + ": " + std::string(what) + ": " + reason);
}

TraceError trace_error(const std::filesystem::path& file, std::string_view what) {
  return TraceError(quoted(file) + ": " + std::string(what));
}

void check_hdf5_file(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    throw trace_error(file, "no such file");
  }
  if (!std::filesystem::is_regular_file(file, ec)) {
    throw trace_error(file, "not a regular file");
  }
  bool hdf5 = false;
  try {
    hdf5 = H5::H5File::isHdf5(file.string());
  } catch (const H5::Exception& e) {
    throw h5_error(file, "cannot read file", e);
  }
  if (!hdf5) {
    throw trace_error(file, "not an HDF5 file");
  }
}

void check_fits_in_file(const H5::DataSet& dataset, std::uint64_t count, std::uint64_t element_bytes,
                        const std::filesystem::path& file, const std::string& what) {
  std::error_code ec;
  const std::uint64_t file_bytes = std::filesystem::file_size(file, ec);
  if (ec) {
    throw trace_error(file, "cannot get the file size: " + ec.message());
  }
  std::uint64_t limit = file_bytes;
  const hid_t dcpl = H5Dget_create_plist(dataset.getId());
  if (dcpl >= 0) {
    if (H5Pget_nfilters(dcpl) > 0) {
      limit = file_bytes > UINT64_MAX / 1100 ? UINT64_MAX : file_bytes * 1100;
    }
    H5Pclose(dcpl);
  }
  const std::uint64_t bytes = std::max<std::uint64_t>(element_bytes, 1);
  if (count > limit / bytes) {
    throw trace_error(file, what + " declares " + std::to_string(count) + " elements of " + std::to_string(bytes) +
                                " bytes, more than the file (" + std::to_string(file_bytes) +
                                " bytes) can hold: the file is corrupt");
  }
}

void check_schema_name(const H5::Group& root, const std::filesystem::path& file) {
  if (!root.attrExists(kAttrSchema)) {
    throw trace_error(file, std::string("not a saffire trace (no root attribute '") + kAttrSchema + "')");
  }
  const std::string schema = read_string_attr(root, kAttrSchema, file);
  if (schema != kSchemaName) {
    throw trace_error(file, std::string("not a saffire trace (root attribute '") + kAttrSchema + "' is '" + schema +
                                "', expected '" + kSchemaName + "')");
  }
}

void write_string_attr(const H5::H5Object& object, const char* name, const std::string& value) {
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  type.setCset(H5T_CSET_UTF8);
  object.createAttribute(name, type, H5::DataSpace(H5S_SCALAR)).write(type, value);
}

void write_int32_attr(const H5::H5Object& object, const char* name, std::int32_t value) {
  object.createAttribute(name, H5::PredType::STD_I32LE, H5::DataSpace(H5S_SCALAR))
      .write(H5::PredType::NATIVE_INT32, &value);
}

void write_uint64_attr(const H5::H5Object& object, const char* name, std::uint64_t value) {
  object.createAttribute(name, H5::PredType::STD_U64LE, H5::DataSpace(H5S_SCALAR))
      .write(H5::PredType::NATIVE_UINT64, &value);
}

std::string read_string_attr(const H5::H5Object& object, const char* name, const std::filesystem::path& file,
                             const std::string& owner) {
  const H5::Attribute attr = open_attr(object, name, file, owner);
  require_class(attr, H5T_STRING, name, "string", file, owner);
  const H5::StrType type = attr.getStrType();
  if (!type.isVariableStr()) {
    std::error_code ec;
    const std::uintmax_t file_bytes = std::filesystem::file_size(file, ec);
    if (!ec && type.getSize() > file_bytes) {
      throw trace_error(file, attr_name(name, owner) + " declares a string of " + std::to_string(type.getSize()) +
                                  " bytes, longer than the file: the file is corrupt");
    }
  }
  std::string value;
  attr.read(type, value);  // the file's own type: fixed- or variable-length both read
  return value;
}

std::int64_t read_int_attr(const H5::H5Object& object, const char* name, const std::filesystem::path& file,
                           const std::string& owner) {
  const H5::Attribute attr = open_attr(object, name, file, owner);
  require_class(attr, H5T_INTEGER, name, "integer", file, owner);
  std::int64_t value = 0;
  attr.read(H5::PredType::NATIVE_INT64, &value);
  return value;
}

std::uint64_t read_uint64_attr(const H5::H5Object& object, const char* name, const std::filesystem::path& file,
                               const std::string& owner) {
  const H5::Attribute attr = open_attr(object, name, file, owner);
  require_class(attr, H5T_INTEGER, name, "integer", file, owner);
  std::uint64_t value = 0;
  attr.read(H5::PredType::NATIVE_UINT64, &value);
  return value;
}

H5::FileAccPropList latest_format_access() {
  H5::FileAccPropList fapl;
  fapl.setLibverBounds(H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
  return fapl;
}

H5::FileAccPropList resume_access() {
  H5::FileAccPropList fapl = latest_format_access();
  // The file-access property h5clear sets (registered in every FAPL of HDF5 1.10); without it, opening a
  // file whose SWMR writer was killed fails with "file is already open for write".
  hbool_t clear = 1;
  if (H5Pexist(fapl.getId(), "clear_status_flags") > 0) H5Pset(fapl.getId(), "clear_status_flags", &clear);
  return fapl;
}

void start_swmr_write(const H5::H5File& file) {
  H5F_info2_t info{};
  if (H5Fget_info2(file.getId(), &info) < 0 || info.super.version < 3) return;  // older format: no SWMR
  if (H5Fstart_swmr_write(file.getId()) < 0) throw H5::FileIException("H5Fstart_swmr_write", "cannot start SWMR writing");
}

H5::H5File open_for_reading(const std::filesystem::path& file) {
  try {
    return H5::H5File(file.string(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ);
  } catch (const H5::Exception&) {
    // This process already holds the file open without SWMR (e.g. its own writer): share that handle.
    return H5::H5File(file.string(), H5F_ACC_RDONLY);
  }
}

}  // namespace saffire::traces::detail
