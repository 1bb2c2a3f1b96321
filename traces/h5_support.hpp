#pragma once
// Internal to saffire_traces: HDF5 error handling and root-attribute helpers shared by the
// writer and the reader. Public headers never include this (callers need no HDF5 headers).
#include <H5Cpp.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "traces/trace_error.hpp"

namespace saffire::traces::detail {

// Stops HDF5 printing its error stack to stderr (failures reach callers as TraceError instead) and
// records why each failing HDF5 call failed, for h5_error. Process-wide, like dontPrint().
void quiet_hdf5_errors();

// TraceError for `file`: "trace file '<file>': <what>: <HDF5's reason> (<C++ wrapper's message>)".
TraceError h5_error(const std::filesystem::path& file, std::string_view what, const H5::Exception& e);

// TraceError for `file` without an HDF5 cause: "trace file '<file>': <what>".
TraceError trace_error(const std::filesystem::path& file, std::string_view what);

// Checks done before HDF5 opens `file`, so the common mistakes get plain messages: throws TraceError
// "no such file", "not a regular file" or "not an HDF5 file".
void check_hdf5_file(const std::filesystem::path& file);

// SWMR (single writer, multiple readers; traces/README.md "Reading while written"). A writer creates the
// file in HDF5's latest format (metadata checksums, the superblock SWMR needs), builds every object, then
// switches to SWMR writing; appends only extend and fill datasets, each followed by a flush.
H5::FileAccPropList latest_format_access();
// latest_format_access() that also clears the "open for writing" flags a killed writer leaves in the
// superblock, so a sweep killed with kill -9 can be resumed (what `h5clear -s` does).
H5::FileAccPropList resume_access();
// Switches an open latest-format file to SWMR writing; a file of an older format (written before SWMR)
// stays in plain read-write mode.
void start_swmr_write(const H5::H5File& file);
// Opens `file` read-only as an SWMR reader, so a file being written (or left by a killed writer) opens.
H5::H5File open_for_reading(const std::filesystem::path& file);

// Throws TraceError naming `file` unless `root` has the attribute "schema" == "saffire-trace"
// ("not a saffire trace (...)"). Does not look at the schema version.
void check_schema_name(const H5::Group& root, const std::filesystem::path& file);

// Throws TraceError naming `file` and `what` (e.g. "dataset '/gemms'") unless `count` elements of
// `element_bytes` each could be stored in the file: at most its size, or 1100 times that when the
// dataset is filtered (deflate cannot compress by more than about 1032:1). Called before any buffer
// of `count` elements is allocated, so a small corrupt file cannot ask for gigabytes.
void check_fits_in_file(const H5::DataSet& dataset, std::uint64_t count, std::uint64_t element_bytes,
                        const std::filesystem::path& file, const std::string& what);

// Scalar attributes on a group or dataset. Strings are variable-length UTF-8 (no size limit; h5py
// reads them as str).
void write_string_attr(const H5::H5Object& object, const char* name, const std::string& value);
void write_int32_attr(const H5::H5Object& object, const char* name, std::int32_t value);
void write_uint64_attr(const H5::H5Object& object, const char* name, std::uint64_t value);

// Readers throw TraceError naming `file` and the attribute when it is missing or of the wrong class.
// `owner` names the object in those messages: "root" for "/" ("missing root attribute 'seed'"),
// else e.g. "'/inputs/0'" ("missing attribute 'path' of '/inputs/0'").
std::string read_string_attr(const H5::H5Object& object, const char* name, const std::filesystem::path& file,
                             const std::string& owner = "root");
std::int64_t read_int_attr(const H5::H5Object& object, const char* name, const std::filesystem::path& file,
                           const std::string& owner = "root");
std::uint64_t read_uint64_attr(const H5::H5Object& object, const char* name, const std::filesystem::path& file,
                               const std::string& owner = "root");

}  // namespace saffire::traces::detail
